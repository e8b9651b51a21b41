package dev.fledge.operator.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AnalysisSpec;
import dev.fledge.api.spec.FeedbackSpec;
import dev.fledge.api.spec.NotificationsSpec;
import dev.fledge.api.spec.StageName;
import dev.fledge.api.spec.StageSpec;
import dev.fledge.api.spec.WebhookSpec;
import dev.fledge.api.status.GateResult;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.api.status.Verdict;
import dev.fledge.core.rollout.GateVerdict;
import dev.fledge.operator.gates.ConfiguredGates;
import dev.fledge.operator.gates.Gate;
import dev.fledge.operator.gates.GateContext;
import dev.fledge.operator.notify.Backoff;
import dev.fledge.operator.notify.JdkWebhookClient;
import dev.fledge.operator.notify.NotificationSettings;
import dev.fledge.operator.notify.SecretWebhookUrls;
import dev.fledge.operator.notify.WebhookDispatcher;
import dev.fledge.operator.notify.WebhookReceiver;
import dev.fledge.testsupport.DeploymentReadiness;
import dev.fledge.testsupport.MockCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator in-process against the mock API server with a real webhook receiver: the webhook hears what the
 * Kubernetes Events say, in order, and a webhook that hangs does not hold the rollout back.
 */
class NotificationsOnMockApiServerTest {
    static final ObjectMapper JSON = new ObjectMapper();
    MockCluster cluster;
    KubernetesClient client;
    DeploymentReadiness kubelet;
    WebhookReceiver receiver;
    OperatorUnderTest operator;
    final AtomicReference<WebhookDispatcher> dispatcher = new AtomicReference<>();
    final CountDownLatch unblock = new CountDownLatch(1);

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        client = cluster.client();
        Releases.createNamespace(client);
        kubelet = new DeploymentReadiness(client);
        receiver = new WebhookReceiver();
        NotificationSettings settings = new NotificationSettings(
                Optional.empty(),
                Duration.ofSeconds(30),
                3,
                new Backoff(Duration.ofMillis(50), Duration.ofMillis(200), 0.2, Math::random),
                100);
        operator = new OperatorUnderTest(
                client, new ConfiguredGates(Map.of("feedback", ref -> new FeedbackStandIn())), metrics -> {
                    dispatcher.set(new WebhookDispatcher(
                            settings,
                            new JdkWebhookClient(Duration.ofSeconds(30)),
                            new SecretWebhookUrls(client),
                            Executors.newSingleThreadScheduledExecutor(),
                            metrics,
                            JSON));
                    return dispatcher.get();
                });
    }

    @AfterEach
    void stop() {
        unblock.countDown();
        operator.close();
        dispatcher.get().close();
        receiver.close();
        kubelet.close();
        cluster.close();
    }

    /** A Bayesian-looking gate: version 3.0.0 gets thumbs down, the others pass, with posterior evidence. */
    static final class FeedbackStandIn implements Gate {
        @Override
        public String name() {
            return "feedback";
        }

        @Override
        public GateVerdict evaluate(GateContext context) {
            boolean bad = "3.0.0".equals(context.canaryVersion());
            return new GateVerdict(
                    "feedback",
                    "feedback",
                    bad ? Verdict.FAIL : Verdict.PASS,
                    false,
                    bad ? "negative rate above 0.2" : "negative rate below 0.2",
                    null,
                    200L,
                    bad ? 90L : 6L,
                    bad ? 0.45 : 0.03,
                    bad ? 0.51 : 0.061,
                    bad ? 0.999 : 0.0001);
        }
    }

    ModelRelease release(String version) {
        ModelRelease mr = Releases.replicas("assistant", version);
        mr.getSpec()
                .setStages(List.of(
                        new StageSpec().withName(StageName.INTERNAL).withMinDuration("1s"),
                        new StageSpec().withName(StageName.CLOSED).withMinDuration("1s"),
                        new StageSpec()
                                .withName(StageName.PUBLIC)
                                .withSteps(List.of(50, 100))
                                .withStepDuration("1s")));
        mr.getSpec()
                .setAnalysis(new AnalysisSpec()
                        .withInterval("1s")
                        .withFeedback(new FeedbackSpec().withMaxNegativeRate(0.2)));
        mr.getSpec()
                .setNotifications(new NotificationsSpec()
                        .withWebhooks(List.of(new WebhookSpec().withName("ops").withUrl(receiver.url()))));
        return mr;
    }

    @Test
    void theWebhookHearsStagesPromotionsAndTheRollbackInOrder() throws Exception {
        client.resource(release("1.0.0")).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED && "1.0.0".equals(s.getStableVersion()));
        setVersion("2.0.0");
        ModelReleaseStatus promoted =
                awaitStatus(s -> s.getPhase() == Phase.PROMOTED && "2.0.0".equals(s.getStableVersion()));
        GateResult feedback = promoted.getGates().stream()
                .filter(g -> "feedback".equals(g.getName()))
                .findFirst()
                .orElseThrow();
        assertThat(operator.registry
                        .find("fledge_gate_posterior_upper")
                        .tags("namespace", Releases.NS, "release", "assistant", "gate", "feedback")
                        .gauge()
                        .value())
                .as("the gauge holds the bound in status")
                .isEqualTo(feedback.getUpperBound())
                .isEqualTo(0.061);
        setVersion("3.0.0");
        awaitStatus(s -> s.getPhase() == Phase.ROLLED_BACK);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> receiver.bodies().stream().anyMatch(b -> b.contains("RolledBack")));
        List<String> heard = new ArrayList<>();
        for (String body : receiver.bodies()) {
            JsonNode n = JSON.readTree(body);
            heard.add(n.get("event").asText() + " " + n.get("canaryVersion").asText() + " "
                    + n.get("toStage").asText() + " " + n.get("canaryWeight").asInt());
        }
        assertThat(heard)
                .containsExactly(
                        "RolloutStarted 1.0.0 preflight 0",
                        "StageStarted 1.0.0 internal 0",
                        "StageStarted 1.0.0 closed 0",
                        "StageStarted 1.0.0 public 100",
                        "Promoted 1.0.0 null 0",
                        "RolloutStarted 2.0.0 preflight 0",
                        "StageStarted 2.0.0 internal 0",
                        "StageStarted 2.0.0 closed 0",
                        "StageStarted 2.0.0 public 50",
                        "StepAdvanced 2.0.0 public 100",
                        "Promoted 2.0.0 null 0",
                        "RolloutStarted 3.0.0 preflight 0",
                        "StageStarted 3.0.0 internal 0",
                        "RolledBack 3.0.0 null 0");
        JsonNode rollback =
                JSON.readTree(receiver.bodies().get(receiver.bodies().size() - 1));
        assertThat(rollback.get("reason").asText()).isEqualTo("GateFailed");
        assertThat(rollback.get("stableVersion").asText()).isEqualTo("2.0.0");
        assertThat(rollback.get("fromStage").asText()).isEqualTo("internal");
        assertThat(rollback.get("message").asText()).contains("feedback", "negative rate above 0.2", "samples=200");
        assertThat(rollback.get("gatesSummary").asText()).isEqualTo("feedback=Fail");
        assertThat(rollback.get("gates").get(0).get("upperBound").asDouble()).isEqualTo(0.51);
        assertThat(operator.registry
                        .find("fledge_notifications")
                        .tag("result", "sent")
                        .counter()
                        .count())
                .isEqualTo(14);
    }

    @Test
    void aWebhookThatHangsDoesNotHoldTheRolloutBack() {
        receiver.answering(n -> {
            try {
                unblock.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 200;
        });

        client.resource(release("1.0.0")).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED && "1.0.0".equals(s.getStableVersion()));

        assertThat(receiver.received())
                .as("only the first notification went out; it still hangs")
                .hasSize(1);
        // the promotion's notification is queued just after the status write the test has seen
        await().atMost(Duration.ofSeconds(5)).until(() -> dispatcher.get().pending() == 5);
        assertThat(receiver.received())
                .as("the later four wait behind the hung one")
                .hasSize(1);
        unblock.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received().size() == 5);
        await().atMost(Duration.ofSeconds(5)).until(() -> dispatcher.get().pending() == 0);
    }

    void setVersion(String version) {
        Releases.edit(client, "assistant", r -> {
            r.getSpec().getModel().setVersion(version);
            r.getSpec().getModel().setUri("file:///models/" + version);
        });
    }

    ModelReleaseStatus awaitStatus(Predicate<ModelReleaseStatus> p) {
        return Releases.awaitStatus(client, "assistant", Duration.ofSeconds(40), p);
    }
}
