package dev.fledge.operator.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.NotificationsSpec;
import dev.fledge.api.spec.StageName;
import dev.fledge.api.spec.StageSpec;
import dev.fledge.api.spec.WebhookSpec;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.operator.gates.ConfiguredGates;
import dev.fledge.operator.notify.Backoff;
import dev.fledge.operator.notify.JdkWebhookClient;
import dev.fledge.operator.notify.NotificationSettings;
import dev.fledge.operator.notify.SecretWebhookUrls;
import dev.fledge.operator.notify.WebhookDispatcher;
import dev.fledge.operator.notify.WebhookReceiver;
import dev.fledge.testsupport.DeploymentReadiness;
import dev.fledge.testsupport.FaultInjectingDispatcher;
import dev.fledge.testsupport.MockCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Manual actions, Kubernetes Events and webhooks happen exactly once although API writes fail: the operator in-process
 * against the mock API server, which answers chosen requests with an error ({@link FaultInjectingDispatcher}).
 */
class ExactlyOnceOnMockApiServerTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String NAME = "assistant";
    final FaultInjectingDispatcher api = new FaultInjectingDispatcher();
    MockCluster cluster;
    KubernetesClient client;
    DeploymentReadiness kubelet;
    WebhookReceiver receiver;
    OperatorUnderTest operator;
    final AtomicReference<WebhookDispatcher> webhooks = new AtomicReference<>();

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster(api);
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
        operator = new OperatorUnderTest(client, new ConfiguredGates(Map.of()), metrics -> {
            webhooks.set(new WebhookDispatcher(
                    settings,
                    new JdkWebhookClient(Duration.ofSeconds(30)),
                    new SecretWebhookUrls(client),
                    Executors.newSingleThreadScheduledExecutor(),
                    metrics,
                    JSON));
            return webhooks.get();
        });
    }

    @AfterEach
    void stop() {
        operator.close();
        webhooks.get().close();
        receiver.close();
        kubelet.close();
        cluster.close();
    }

    /** Stages that never end on their own within a test: only an action moves the rollout. */
    ModelRelease release(String version) {
        ModelRelease mr = Releases.replicas(NAME, version);
        mr.getSpec()
                .setStages(List.of(
                        new StageSpec().withName(StageName.INTERNAL).withMinDuration("10m"),
                        new StageSpec().withName(StageName.CLOSED).withMinDuration("10m"),
                        new StageSpec()
                                .withName(StageName.PUBLIC)
                                .withSteps(List.of(50, 100))
                                .withStepDuration("10m")));
        mr.getSpec().setProgressDeadline("1h");
        mr.getSpec()
                .setNotifications(new NotificationsSpec()
                        .withWebhooks(List.of(new WebhookSpec().withName("ops").withUrl(receiver.url()))));
        return mr;
    }

    /** Version 1.0.0 promoted (no stable yet: its stages are skipped by hand), then 2.0.0 in its internal stage. */
    void rollingOutVersionTwo() {
        client.resource(release("1.0.0")).create();
        awaitStatus(s -> "internal".equals(s.getStage()) && s.getCanaryVersion() != null);
        annotate("promote");
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED && "1.0.0".equals(s.getStableVersion()));
        await().atMost(Duration.ofSeconds(30)).until(() -> !annotations().containsKey(Labels.ACTION));
        setVersion("2.0.0");
        awaitStatus(s -> "internal".equals(s.getStage()) && "2.0.0".equals(s.getCanaryVersion()));
    }

    @Test
    void anAbortWhoseStatusWriteFailsStillRollsBackExactlyOnce() {
        rollingOutVersionTwo();
        api.failNext(
                1, 409, r -> r.isStatusPatch("modelreleases", NAME) && r.body().contains("abort"));

        annotate("abort");

        ModelReleaseStatus s = awaitStatus(st -> st.getPhase() == Phase.ROLLED_BACK);
        assertThat(api.failuresServed())
                .as("the status write of the abort failed once")
                .isEqualTo(1);
        assertThat(s.getRolledBackVersion()).isEqualTo("2.0.0");
        assertThat(s.getStableVersion()).isEqualTo("1.0.0");
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () -> assertThat(current().getStatus().getAction().getAnnotationRemoved())
                                .as("the annotation is removed after the status recorded the action")
                                .isTrue());
        assertThat(annotations()).doesNotContainKey(Labels.ACTION);
        ModelReleaseStatus done = current().getStatus();
        assertThat(done.getAction().getValue()).isEqualTo("abort");
        assertThat(done.getAction().getOutcome()).isEqualTo("Applied");
        assertThat(done.getAction().getResourceVersion()).isNotBlank();
        assertThat(eventCount("Aborted")).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> webhookEvents().contains("RolledBack 2.0.0"));
        assertThat(webhookEvents()).filteredOn("RolledBack 2.0.0"::equals).hasSize(1);
    }

    @Test
    void aSkipStageWhoseAnnotationCannotBeRemovedAtOnceSkipsOneStageOnly() throws Exception {
        rollingOutVersionTwo();
        api.failNext(3, 403, r -> r.isPatch("modelreleases", NAME) && r.body().contains("\"op\":\"remove\""));

        annotate("skip-stage");

        await().atMost(Duration.ofSeconds(30)).until(() -> !annotations().containsKey(Labels.ACTION));
        assertThat(api.failuresServed())
                .as("the annotation's removal failed three times")
                .isEqualTo(3);
        Thread.sleep(1500); // a reconcile that applied the annotation again would have moved on by now
        ModelReleaseStatus s = current().getStatus();
        assertThat(s.getStage()).as("one stage skipped, not more").isEqualTo("closed");
        assertThat(eventCount("StageSkipped")).isEqualTo(1);
        assertThat(s.getAction().getValue()).isEqualTo("skip-stage");
    }

    @Test
    void eventsAndWebhooksOfADecisionWhoseStatusWriteFailedGoOutOnce() {
        api.failNext(
                2, 409, r -> r.isStatusPatch("modelreleases", NAME) && r.body().contains("preflight"));

        client.resource(release("1.0.0")).create();

        awaitStatus(s -> "internal".equals(s.getStage()));
        assertThat(api.failuresServed())
                .as("the status write that starts the rollout failed twice")
                .isEqualTo(2);
        await().atMost(Duration.ofSeconds(30)).until(() -> webhookEvents().contains("StageStarted internal"));
        await().pollDelay(Duration.ofSeconds(1)).until(() -> true); // let any late duplicate arrive
        assertThat(webhookEvents())
                .filteredOn(e -> e.startsWith("RolloutStarted"))
                .hasSize(1);
        assertThat(webhookEvents()).filteredOn("StageStarted internal"::equals).hasSize(1);
        assertThat(eventCount("RolloutStarted")).isEqualTo(1);
        assertThat(eventCount("StageStarted")).isEqualTo(1);
    }

    List<String> webhookEvents() {
        return receiver.bodies().stream()
                .map(b -> {
                    try {
                        JsonNode n = JSON.readTree(b);
                        String toStage = n.path("toStage").asText();
                        return n.get("event").asText() + " "
                                + ("RolledBack".equals(n.get("event").asText())
                                        ? n.get("canaryVersion").asText()
                                        : toStage);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                })
                .toList();
    }

    /** Occurrences, a repeat counted on an Event included (EventRecorder counts repeats, as kubectl shows them). */
    long eventCount(String reason) {
        return client.v1().events().inNamespace(Releases.NS).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason()))
                .mapToLong(e -> e.getCount() == null ? 1 : e.getCount())
                .sum();
    }

    /** A merge patch, as kubectl annotate sends: it does not conflict with the operator's status writes. */
    void annotate(String action) {
        client.resources(ModelRelease.class)
                .inNamespace(Releases.NS)
                .withName(NAME)
                .patch(
                        PatchContext.of(PatchType.JSON_MERGE),
                        "{\"metadata\":{\"annotations\":{\"" + Labels.ACTION + "\":\"" + action + "\"}}}");
    }

    Map<String, String> annotations() {
        Map<String, String> a = current().getMetadata().getAnnotations();
        return a == null ? Map.of() : a;
    }

    ModelRelease current() {
        return client.resources(ModelRelease.class)
                .inNamespace(Releases.NS)
                .withName(NAME)
                .get();
    }

    void setVersion(String version) {
        client.resources(ModelRelease.class)
                .inNamespace(Releases.NS)
                .withName(NAME)
                .patch(
                        PatchContext.of(PatchType.JSON_MERGE),
                        "{\"spec\":{\"model\":{\"version\":\"" + version + "\",\"uri\":\"file:///models/" + version
                                + "\"}}}");
    }

    ModelReleaseStatus awaitStatus(Predicate<ModelReleaseStatus> p) {
        return Releases.awaitStatus(client, NAME, Duration.ofSeconds(40), p);
    }
}
