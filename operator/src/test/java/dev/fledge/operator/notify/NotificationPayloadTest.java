package dev.fledge.operator.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.NotificationEvent;
import dev.fledge.api.spec.NotificationFormat;
import dev.fledge.api.status.GateResult;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.api.status.Verdict;
import dev.fledge.core.rollout.EventReason;
import dev.fledge.core.rollout.RolloutEvent;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NotificationPayloadTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant AT = Instant.parse("2026-11-28T12:00:00Z");

    static ModelRelease release() {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(new ObjectMetaBuilder()
                .withName("assistant")
                .withNamespace("ml")
                .build());
        return mr;
    }

    static ModelReleaseStatus inStage(String stage, int weight) {
        ModelReleaseStatus s = new ModelReleaseStatus();
        s.setPhase(Phase.PROGRESSING);
        s.setStage(stage);
        s.setCanaryWeight(weight);
        s.setStableVersion("1.0.0");
        s.setCanaryVersion("2.0.0");
        return s;
    }

    /** The status after a rollback on the safety gate: canary cleared, the failing evidence kept. */
    static ModelReleaseStatus rolledBack() {
        ModelReleaseStatus s = new ModelReleaseStatus();
        s.setPhase(Phase.ROLLED_BACK);
        s.setStableVersion("1.0.0");
        s.setRolledBackVersion("2.0.0");
        s.setCanaryWeight(0);
        s.setGates(new ArrayList<>(List.of(
                new GateResult()
                        .withName("error-rate")
                        .withKind("metric")
                        .withVerdict(Verdict.PASS)
                        .withValue(0.002),
                new GateResult()
                        .withName("safety")
                        .withKind("safety")
                        .withVerdict(Verdict.FAIL)
                        .withReason("harm rate above 0.01")
                        .withSamples(412L)
                        .withFlagged(9L)
                        .withUpperBound(0.031)
                        .withPAboveMax(0.97))));
        return s;
    }

    static Notification rollback() {
        return Notification.of(
                        release(),
                        inStage("closed", 0),
                        rolledBack(),
                        new RolloutEvent(
                                EventReason.GateFailed,
                                "rolled back 2.0.0 to 1.0.0: gate safety failed 1 of failureLimit 1: harm rate above 0.01 (samples=412, flagged=9)"),
                        AT)
                .orElseThrow();
    }

    @Test
    void aRollbackCarriesTheReasonTheVersionsAndTheFailingGateEvidence() throws Exception {
        JsonNode body =
                JSON.readTree(Payload.of(NotificationFormat.GENERIC, JSON).render(rollback()));

        assertThat(body.get("schema").asText()).isEqualTo("fledge.dev/notification/v1");
        assertThat(body.get("event").asText()).isEqualTo("RolledBack");
        assertThat(body.get("reason").asText()).isEqualTo("GateFailed");
        assertThat(body.get("namespace").asText()).isEqualTo("ml");
        assertThat(body.get("release").asText()).isEqualTo("assistant");
        assertThat(body.get("phase").asText()).isEqualTo("RolledBack");
        assertThat(body.get("fromStage").asText()).isEqualTo("closed");
        assertThat(body.get("toStage").isNull()).isTrue();
        assertThat(body.get("canaryWeight").asInt()).isZero();
        assertThat(body.get("stableVersion").asText()).isEqualTo("1.0.0");
        assertThat(body.get("canaryVersion").asText()).isEqualTo("2.0.0");
        assertThat(body.get("message").asText()).contains("samples=412");
        assertThat(body.get("gatesSummary").asText()).isEqualTo("error-rate=Pass safety=Fail");
        JsonNode safety = body.get("gates").get(1);
        assertThat(safety.get("name").asText()).isEqualTo("safety");
        assertThat(safety.get("verdict").asText()).isEqualTo("Fail");
        assertThat(safety.get("samples").asLong()).isEqualTo(412);
        assertThat(safety.get("flagged").asLong()).isEqualTo(9);
        assertThat(safety.get("upperBound").asDouble()).isEqualTo(0.031);
        assertThat(safety.get("pAboveMax").asDouble()).isEqualTo(0.97);
        assertThat(body.get("gates").get(0).has("samples"))
                .as("no null evidence fields")
                .isFalse();
        assertThat(body.get("timestamp").asText()).isEqualTo("2026-11-28T12:00:00Z");
    }

    @Test
    void aPublicStepNamesTheStageAndTheNewWeight() throws Exception {
        Notification n = Notification.of(
                        release(),
                        inStage("public", 25),
                        inStage("public", 50),
                        new RolloutEvent(EventReason.StepAdvanced, "public weight 50% (step 2 of 4)"),
                        AT)
                .orElseThrow();
        JsonNode body =
                JSON.readTree(Payload.of(NotificationFormat.GENERIC, JSON).render(n));

        assertThat(n.event()).isEqualTo(NotificationEvent.STEP_ADVANCED);
        assertThat(body.get("fromStage").asText()).isEqualTo("public");
        assertThat(body.get("toStage").asText()).isEqualTo("public");
        assertThat(body.get("canaryWeight").asInt()).isEqualTo(50);
        assertThat(body.get("gates").size()).isZero();
        assertThat(body.get("gatesSummary").asText()).isEmpty();
    }

    @Test
    void eventsThatAreNotRolloutMilestonesAreNotNotified() {
        for (String reason : List.of("ActionIgnored", "RouteDrift", "InvalidSpec", "Promoting", "RolloutRestarted")) {
            assertThat(Notification.of(
                            release(),
                            inStage("closed", 0),
                            inStage("closed", 0),
                            new RolloutEvent(EventReason.valueOf(reason), "x"),
                            AT))
                    .as(reason)
                    .isEmpty();
        }
    }

    @Test
    void slackMessageHasFallbackTextAndBlocksWithStageWeightVersionsAndGates() throws Exception {
        JsonNode body = JSON.readTree(Payload.of(NotificationFormat.SLACK, JSON).render(rollback()));

        assertThat(body.get("text").asText())
                .startsWith(":rotating_light: ml/assistant rolled back 2.0.0: rolled back 2.0.0 to 1.0.0");
        JsonNode blocks = body.get("blocks");
        assertThat(blocks.get(0).get("type").asText()).isEqualTo("section");
        assertThat(blocks.get(0).get("text").get("type").asText()).isEqualTo("mrkdwn");
        assertThat(blocks.get(0).get("text").get("text").asText())
                .contains("*ml/assistant*", "failed 1 of failureLimit 1");
        List<String> fields = new ArrayList<>();
        blocks.get(1).get("fields").forEach(f -> fields.add(f.get("text").asText()));
        assertThat(fields)
                .containsExactly(
                        "*Stage*\nclosed → RolledBack", "*Canary weight*\n0%", "*Stable*\n1.0.0", "*Canary*\n2.0.0");
        assertThat(blocks.get(2).get("text").get("text").asText())
                .isEqualTo("*Gates*\n• `error-rate` Pass\n• `safety` Fail: harm rate above 0.01");
        assertThat(blocks.get(3).get("type").asText()).isEqualTo("context");
        assertThat(blocks.get(3).get("elements").get(0).get("text").asText())
                .contains("GateFailed", "2026-11-28T12:00:00Z");
    }

    @Test
    void slackTextIsEscapedAndBounded() throws Exception {
        Notification n = Notification.of(
                        release(),
                        inStage("closed", 0),
                        rolledBack(),
                        new RolloutEvent(EventReason.Aborted, "<@channel> & " + "x".repeat(5000)),
                        AT)
                .orElseThrow();
        JsonNode body = JSON.readTree(Payload.of(NotificationFormat.SLACK, JSON).render(n));

        String section = body.get("blocks").get(0).get("text").get("text").asText();
        assertThat(section).contains("&lt;@channel&gt; &amp; ").doesNotContain("<@channel>");
        assertThat(section.length()).isLessThanOrEqualTo(3000);
    }

    @Test
    void noTenantStringFormsALinkOrMentionAnywhereInTheSlackMessage() throws Exception {
        String hostile = "<!channel> <@U024BE7LH> <https://evil.example/login|click here> & <#C123>";
        ModelReleaseStatus after = rolledBack();
        after.getGates().get(1).setReason("judge: " + hostile);
        after.setStableVersion("1.0.0<!here>");
        Notification n = Notification.of(
                        release(),
                        inStage("closed", 0),
                        after,
                        new RolloutEvent(EventReason.GateFailed, "rolled back: " + hostile),
                        AT)
                .orElseThrow();
        JsonNode body = JSON.readTree(Payload.of(NotificationFormat.SLACK, JSON).render(n));

        List<String> texts = new ArrayList<>();
        collectTexts(body, texts);
        assertThat(texts).isNotEmpty();
        assertThat(texts)
                .as("every text Slack parses, the fallback text included")
                .allSatisfy(t -> assertThat(t).doesNotContain("<!", "<@", "<#", "<http", "|click here>"));
        assertThat(body.get("text").asText()).contains("&lt;!channel&gt;", "&amp; &lt;#C123&gt;");
    }

    private static void collectTexts(JsonNode node, List<String> into) {
        if (node.isTextual()) {
            into.add(node.asText());
        }
        node.forEach(child -> collectTexts(child, into));
    }

    @Test
    void promotionNamesTheNewStableVersion() throws Exception {
        ModelReleaseStatus after = new ModelReleaseStatus();
        after.setPhase(Phase.PROMOTED);
        after.setStableVersion("2.0.0");
        Notification n = Notification.of(
                        release(),
                        inStage("promoting", 0),
                        after,
                        new RolloutEvent(EventReason.Promoted, "2.0.0 promoted to stable"),
                        AT)
                .orElseThrow();

        assertThat(n.canaryVersion()).isEqualTo("2.0.0");
        assertThat(JSON.readTree(Payload.of(NotificationFormat.SLACK, JSON).render(n))
                        .get("text")
                        .asText())
                .isEqualTo(":white_check_mark: ml/assistant 2.0.0 promoted: 2.0.0 promoted to stable");
    }
}
