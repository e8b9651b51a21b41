package dev.fledge.operator.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A Slack incoming-webhook message: {@code text} (the notification fallback) and Block Kit {@code blocks} (a
 * headline, the stage/weight/version fields, the gates). Every text that reaches a mrkdwn field, the {@code text}
 * fallback included, is escaped as Slack asks ({@code & < >}): a tenant-controlled string (a version, a message, a
 * gate reason quoting a model's output) cannot form a link ({@code <https://...|...>}) or a mention
 * ({@code <!channel>}, {@code <@U123>}).
 */
final class SlackPayload implements Payload {
    /** Slack refuses section text longer than 3000 characters. */
    private static final int SECTION_LIMIT = 3000;

    private final ObjectMapper json;

    SlackPayload(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public String render(Notification n) {
        String headline = icon(n) + " *" + escape(n.namespace() + "/" + n.release()) + "* " + escape(title(n));
        ObjectNode root = json.createObjectNode();
        root.put(
                "text",
                icon(n) + " " + escape(n.namespace() + "/" + n.release() + " " + title(n) + ": " + n.message()));
        ArrayNode blocks = root.putArray("blocks");
        section(blocks, headline + "\n" + escape(n.message()));
        ObjectNode fields = blocks.addObject().put("type", "section");
        ArrayNode list = fields.putArray("fields");
        field(list, "Stage", stages(n));
        field(list, "Canary weight", n.canaryWeight() + "%");
        field(list, "Stable", n.stableVersion() == null ? "none" : n.stableVersion());
        field(list, "Canary", n.canaryVersion() == null ? "none" : n.canaryVersion());
        if (!n.gates().isEmpty()) {
            StringBuilder gates = new StringBuilder("*Gates*");
            for (Notification.GateSummary g : n.gates()) {
                gates.append("\n• `")
                        .append(escape(g.name()))
                        .append("` ")
                        .append(g.verdict())
                        .append(g.reason() == null ? "" : ": " + escape(g.reason()));
            }
            section(blocks, gates.toString());
        }
        ArrayNode context = blocks.addObject().put("type", "context").putArray("elements");
        context.addObject().put("type", "mrkdwn").put("text", escape("Fledge · " + n.reason() + " · " + n.at()));
        try {
            return json.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a notification as JSON", e);
        }
    }

    private static String title(Notification n) {
        return switch (n.event()) {
            case ROLLOUT_STARTED -> "rollout of " + n.canaryVersion() + " started";
            case STAGE_STARTED -> "entered stage " + n.toStage();
            case STEP_ADVANCED -> "public weight now " + n.canaryWeight() + "%";
            case ROLLED_BACK -> "rolled back " + n.canaryVersion();
            case PROMOTED -> n.stableVersion() + " promoted";
        };
    }

    private static String icon(Notification n) {
        return switch (n.event()) {
            case ROLLED_BACK -> ":rotating_light:";
            case PROMOTED -> ":white_check_mark:";
            default -> ":arrow_forward:";
        };
    }

    private static String stages(Notification n) {
        String from = n.fromStage() == null ? "-" : n.fromStage();
        String to = n.toStage() == null ? (n.phase() == null ? "-" : n.phase().wireName()) : n.toStage();
        return from.equals(to) ? to : from + " → " + to;
    }

    private static void section(ArrayNode blocks, String text) {
        String bounded = text.length() > SECTION_LIMIT ? text.substring(0, SECTION_LIMIT - 1) + "…" : text;
        blocks.addObject()
                .put("type", "section")
                .putObject("text")
                .put("type", "mrkdwn")
                .put("text", bounded);
    }

    private static void field(ArrayNode fields, String name, String value) {
        fields.addObject().put("type", "mrkdwn").put("text", "*" + name + "*\n" + escape(value));
    }

    static String escape(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
