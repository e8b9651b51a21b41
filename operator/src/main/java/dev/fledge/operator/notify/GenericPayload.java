package dev.fledge.operator.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Fledge's own document: every field always present (null when it does not apply), so that receivers can rely on
 * the shape. {@code gatesSummary} is the one-line form ({@code safety=Pass error-rate=Fail}); {@code gates} holds
 * each gate's evidence.
 */
final class GenericPayload implements Payload {
    static final String SCHEMA = "fledge.dev/notification/v1";
    private final ObjectMapper json;

    GenericPayload(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public String render(Notification n) {
        ObjectNode root = json.createObjectNode();
        root.put("schema", SCHEMA);
        root.put("event", n.event().wireName());
        root.put("reason", n.reason());
        root.put("message", n.message());
        root.put("namespace", n.namespace());
        root.put("release", n.release());
        root.put("phase", n.phase() == null ? null : n.phase().wireName());
        root.put("fromStage", n.fromStage());
        root.put("toStage", n.toStage());
        root.put("canaryWeight", n.canaryWeight());
        root.put("stableVersion", n.stableVersion());
        root.put("canaryVersion", n.canaryVersion());
        root.put("gatesSummary", summary(n));
        ArrayNode gates = root.putArray("gates");
        for (Notification.GateSummary g : n.gates()) {
            ObjectNode gate = json.valueToTree(g);
            gate.retain(withValues(gate));
            gates.add(gate);
        }
        root.put("timestamp", n.at().toString());
        try {
            return json.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a notification as JSON", e);
        }
    }

    static String summary(Notification n) {
        return n.gates().stream().map(g -> g.name() + "=" + g.verdict()).collect(Collectors.joining(" "));
    }

    /** The fields of a gate that carry a value. */
    private static List<String> withValues(ObjectNode gate) {
        List<String> names = new ArrayList<>();
        gate.fields().forEachRemaining(f -> {
            if (!f.getValue().isNull()) {
                names.add(f.getKey());
            }
        });
        return names;
    }
}
