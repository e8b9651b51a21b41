package dev.fledge.operator.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.operator.gates.ConfiguredGates;
import dev.fledge.testsupport.DeploymentReadiness;
import dev.fledge.testsupport.MockCluster;
import dev.fledge.testsupport.UserEdits;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewaySpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The operator in-process against Fabric8's mock API server (CRUD mode), durations shortened to seconds. */
class RolloutOnMockApiServerTest {
    MockCluster cluster;
    KubernetesClient client;
    DeploymentReadiness kubelet;
    OperatorUnderTest operator;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        client = cluster.client();
        Releases.createNamespace(client);
        kubelet = new DeploymentReadiness(client);
        operator = new OperatorUnderTest(client, new ConfiguredGates(Map.of()));
    }

    @AfterEach
    void stop() {
        if (operator != null) {
            operator.close();
        }
        kubelet.close();
        cluster.close();
    }

    @Test
    void gatewayApiRouterTakesAReleaseThroughEveryStageToPromoted() {
        client.resource(gateway("public-gw")).create();
        ModelRelease v1 =
                client.resource(Releases.gatewayApi("assistant", "1.0.0")).create();
        awaitStatus(v1, s -> s.getPhase() == Phase.PROMOTED && "1.0.0".equals(s.getStableVersion()));

        setVersion("assistant", "2.0.0");
        awaitStatus(v1, s -> "internal".equals(s.getStage()));
        assertThat(routeBackends("assistant"))
                .containsExactly(
                        "internal->assistant-canary=1",
                        "closed->assistant-stable=1",
                        "*->assistant-stable=100,assistant-canary=0");
        awaitStatus(v1, s -> "closed".equals(s.getStage()));
        assertThat(routeBackends("assistant"))
                .containsExactly(
                        "internal->assistant-canary=1",
                        "closed->assistant-canary=1",
                        "*->assistant-stable=100,assistant-canary=0");
        for (int w : List.of(25, 50, 100)) {
            awaitStatus(v1, s -> "public".equals(s.getStage()) && s.getCanaryWeight() == w);
            assertThat(routeBackends("assistant"))
                    .last()
                    .isEqualTo("*->assistant-stable=" + (100 - w) + ",assistant-canary=" + w);
        }
        ModelReleaseStatus done =
                awaitStatus(v1, s -> s.getPhase() == Phase.PROMOTED && "2.0.0".equals(s.getStableVersion()));
        assertThat(done.getCanaryVersion()).isNull();
        // the decision that ends the rollout is stored first, then routed (#14 review item 5): the routes follow
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(routeBackends("assistant"))
                        .containsExactly(
                                "internal->assistant-stable=1",
                                "closed->assistant-stable=1",
                                "*->assistant-stable=100,assistant-canary=0"));
        assertThat(deployment("assistant-stable")
                        .getSpec()
                        .getTemplate()
                        .getMetadata()
                        .getLabels())
                .containsEntry(Labels.VERSION, "2.0.0");
        // the canary is drained once the Gateway accepted the route away from it (a pass or two later)
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(
                                deployment("assistant-canary").getSpec().getReplicas())
                        .isZero());
        assertThat(deployment("assistant-stable").getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o -> assertThat(o.getKind()).isEqualTo("ModelRelease"));
        assertThat(done.getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Ready");
            assertThat(c.getStatus()).isEqualTo("True");
        });
    }

    @Test
    void replicasRouterTakesAReleaseThroughEveryStageToPromoted() {
        ModelRelease v1 =
                client.resource(Releases.replicas("assistant", "1.0.0")).create();
        awaitStatus(v1, s -> s.getPhase() == Phase.PROMOTED);
        setVersion("assistant", "2.0.0");

        awaitStatus(v1, s -> "internal".equals(s.getStage()));
        assertThat(selectors())
                .containsExactly("assistant=stable", "assistant-internal=canary", "assistant-closed=stable");
        awaitStatus(v1, s -> "closed".equals(s.getStage()));
        assertThat(selectors())
                .containsExactly("assistant=stable", "assistant-internal=canary", "assistant-closed=canary");
        awaitStatus(v1, s -> "public".equals(s.getStage()) && s.getCanaryWeight() == 25);
        assertThat(selectors()).first().isEqualTo("assistant=both");
        assertThat(replicas()).isEqualTo(List.of(2, 1));
        awaitStatus(v1, s -> "public".equals(s.getStage()) && s.getCanaryWeight() == 50);
        assertThat(replicas()).isEqualTo(List.of(1, 1));
        awaitStatus(v1, s -> "public".equals(s.getStage()) && s.getCanaryWeight() == 100);
        // the public Service keeps stable's pods too until the canary has all of its own ready
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(selectors()).first().isEqualTo("assistant=canary"));
        awaitStatus(v1, s -> s.getPhase() == Phase.PROMOTED && "2.0.0".equals(s.getStableVersion()));
        // the decision that ends the rollout is stored first, then routed (#14 review item 5): the routes follow
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(selectors())
                    .containsExactly("assistant=stable", "assistant-internal=stable", "assistant-closed=stable");
            assertThat(replicas()).isEqualTo(List.of(2, 0));
        });
        assertThat(operator.registry
                        .get("fledge_release_phase")
                        .tags("release", "assistant", "phase", "Promoted")
                        .gauge()
                        .value())
                .isEqualTo(1.0);
        assertThat(operator.registry
                        .get("fledge_release_phase")
                        .tags("release", "assistant", "phase", "Progressing")
                        .gauge()
                        .value())
                .isZero();
        assertThat(operator.registry
                        .get("fledge_release_transitions")
                        .tags("from", "Promoted", "to", "Progressing")
                        .counter()
                        .count())
                .isEqualTo(1.0);
    }

    /**
     * Security review 15, MED 3: a public user who reaches {@code <release>} must not be able to claim an audience, so
     * the public Service sends to the pods' public port (where the model server counts every request as public); the
     * audience and track Services keep the port that honours {@code X-Fledge-Audience}.
     */
    @Test
    void theReplicasRoutersPublicServiceTargetsThePublicPortAndTheAudienceServicesDoNot() {
        ModelRelease v1 =
                client.resource(Releases.replicas("assistant", "1.0.0")).create();
        awaitStatus(v1, s -> s.getPhase() == Phase.PROMOTED);
        setVersion("assistant", "2.0.0");
        awaitStatus(v1, s -> "internal".equals(s.getStage()));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(targetPorts())
                        .containsExactly(
                                "assistant=http-public",
                                "assistant-internal=http",
                                "assistant-closed=http",
                                "assistant-stable=http",
                                "assistant-canary=http"));
        for (String track : List.of("assistant-stable", "assistant-canary")) {
            var container = deployment(track)
                    .getSpec()
                    .getTemplate()
                    .getSpec()
                    .getContainers()
                    .get(0);
            assertThat(container.getPorts())
                    .extracting(p -> p.getName() + ":" + p.getContainerPort())
                    .containsExactly("http:8080", "http-public:8081");
            assertThat(container.getEnv())
                    .filteredOn(e -> e.getName().equals("FLEDGE_PUBLIC_PORT"))
                    .extracting(e -> e.getValue())
                    .containsExactly("8081");
        }
    }

    @Test
    void aDeletedReleaseNoLongerExportsItsMetrics() {
        ModelRelease v1 =
                client.resource(Releases.replicas("assistant", "1.0.0")).create();
        awaitStatus(v1, s -> s.getPhase() == Phase.PROMOTED);
        ModelRelease other =
                client.resource(Releases.replicas("other", "1.0.0")).create();
        awaitStatus(other, s -> s.getPhase() == Phase.PROMOTED);
        assertThat(operator.registry
                        .find("fledge_release_phase")
                        .tag("release", "assistant")
                        .gauges())
                .isNotEmpty();

        client.resource(v1).delete();

        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(operator.registry
                                .find("fledge_release_phase")
                                .tag("release", "assistant")
                                .gauges())
                        .isEmpty());
        assertThat(operator.registry
                        .find("fledge_release_progress_deadline_timestamp_seconds")
                        .tag("release", "assistant")
                        .gauges())
                .isEmpty();
        assertThat(operator.registry
                        .get("fledge_release_phase")
                        .tags("release", "other", "phase", "Promoted")
                        .gauge()
                        .value())
                .isEqualTo(1.0);
    }

    @Test
    void abortMidStageRollsBackToStable() {
        ModelRelease v1 =
                client.resource(Releases.replicas("assistant", "1.0.0")).create();
        awaitStatus(v1, s -> s.getPhase() == Phase.PROMOTED);
        setVersion("assistant", "2.0.0");
        awaitStatus(v1, s -> "closed".equals(s.getStage()));
        // retried on a 409: a status write of the operator can come between the read and the write
        Releases.edit(
                client, "assistant", mr -> mr.getMetadata().getAnnotations().put(Labels.ACTION, "abort"));
        ModelReleaseStatus s = awaitStatus(v1, st -> st.getPhase() == Phase.ROLLED_BACK);
        assertThat(s.getStableVersion()).isEqualTo("1.0.0");
        assertThat(s.getRolledBackVersion()).isEqualTo("2.0.0");
        // the decision that ends the rollout is stored first, then routed (#14 review item 5): the routes follow
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(selectors())
                        .containsExactly("assistant=stable", "assistant-internal=stable", "assistant-closed=stable"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(replicas()).isEqualTo(List.of(2, 0));
            assertThat(current("assistant").getMetadata().getAnnotations()).doesNotContainKey(Labels.ACTION);
        });
        assertThat(events("Warning")).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("Aborted"));
    }

    @Test
    void restartedOperatorResumesWithoutRepeatingOrSkippingAStep() {
        ModelRelease v1 =
                client.resource(Releases.replicas("assistant", "1.0.0")).create();
        awaitStatus(v1, s -> s.getPhase() == Phase.PROMOTED);
        setVersion("assistant", "2.0.0");
        awaitStatus(v1, s -> "public".equals(s.getStage()) && s.getCanaryWeight() == 50);
        operator.close();
        operator = new OperatorUnderTest(client, new ConfiguredGates(Map.of()));
        awaitStatus(v1, s -> s.getPhase() == Phase.PROMOTED && "2.0.0".equals(s.getStableVersion()));
        List<String> steps = events("Normal").stream()
                .filter(e -> "StepAdvanced".equals(e.getReason()))
                .map(Event::getMessage)
                .toList();
        assertThat(steps)
                .hasSize(2)
                .anySatisfy(m -> assertThat(m).startsWith("public weight 50%"))
                .anySatisfy(m -> assertThat(m).startsWith("public weight 100%"));
        // the promotion's event is recorded just after its status is stored
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(events("Normal").stream()
                                .filter(e -> "Promoted".equals(e.getReason()))
                                .count())
                        .isEqualTo(2));
    }

    @Test
    void aSpecNamingAMissingGatewayIsInvalidAndTouchesNoWorkload() {
        ModelRelease mr =
                client.resource(Releases.gatewayApi("assistant", "1.0.0")).create();
        ModelReleaseStatus s = awaitStatus(mr, st -> st.getPhase() == Phase.INVALID);
        assertThat(s.getMessage()).contains("spec.traffic.gatewayAPI.parentRefs[0].name", "public-gw");
        assertThat(s.getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("InvalidSpec");
            assertThat(c.getStatus()).isEqualTo("True");
        });
        assertThat(client.apps().deployments().inNamespace(Releases.NS).list().getItems())
                .isEmpty();
        assertThat(client.services().inNamespace(Releases.NS).list().getItems()).isEmpty();
    }

    /**
     * Late review of issue 15: after an operator upgrade that refuses a mount path (here {@code /etc/pki}), a release
     * stored before it must not lose the volume silently. It goes Invalid with a Warning Event and the InvalidSpec
     * condition naming the mount path, and its running Deployment is left as it was (not rebuilt without the mount).
     */
    @Test
    void aReleaseStoredBeforeAnUpgradeWithAMountNowRefusedIsInvalidWithAWarningAndKeepsItsPods() {
        ModelRelease v1 = Releases.replicas("assistant", "1.0.0");
        v1.getSpec()
                .withServer(new ServerSpec()
                        .withTemplate(new PodTemplateSpecBuilder()
                                .withNewSpec()
                                .addNewVolume()
                                .withName("ca")
                                .withNewConfigMap()
                                .withName("ca")
                                .endConfigMap()
                                .endVolume()
                                .addNewContainer()
                                .withName("model-server")
                                .addNewVolumeMount()
                                .withName("ca")
                                .withMountPath("/certs")
                                .endVolumeMount()
                                .endContainer()
                                .endSpec()
                                .build()));
        v1 = client.resource(v1).create();
        awaitStatus(v1, s -> s.getPhase() == Phase.PROMOTED);
        // what the older operator stored and ran: the mount at a path this operator refuses
        operator.close();
        operator = null;
        client.apps()
                .deployments()
                .inNamespace(Releases.NS)
                .withName("assistant-stable")
                .edit(d -> {
                    d.getSpec()
                            .getTemplate()
                            .getSpec()
                            .getContainers()
                            .get(0)
                            .getVolumeMounts()
                            .get(0)
                            .setMountPath("/etc/pki");
                    return d;
                });
        client.resources(ModelRelease.class)
                .inNamespace(Releases.NS)
                .withName("assistant")
                .edit(mr -> {
                    mr.getSpec()
                            .getServer()
                            .getTemplate()
                            .getSpec()
                            .getContainers()
                            .get(0)
                            .getVolumeMounts()
                            .get(0)
                            .setMountPath("/etc/pki");
                    return mr;
                });
        operator = new OperatorUnderTest(client, new ConfiguredGates(Map.of()));
        String path = "spec.server.template.spec.containers[0].volumeMounts[0].mountPath: /etc/pki";
        ModelReleaseStatus s = awaitStatus(v1, st -> st.getPhase() == Phase.INVALID);
        assertThat(s.getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("InvalidSpec");
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getMessage()).contains(path);
        });
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(events("Warning")).anySatisfy(e -> {
                    assertThat(e.getReason()).isEqualTo("InvalidSpec");
                    assertThat(e.getMessage()).contains(path);
                }));
        assertThat(deployment("assistant-stable")
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getVolumeMounts())
                .as("the running pods keep their volume until the release is fixed")
                .extracting(m -> m.getName() + ":" + m.getMountPath())
                .containsExactly("ca:/etc/pki", "fledge-tmp:/tmp", "fledge-feedback-key:/var/run/fledge/feedback-key");
        assertThat(deployment("assistant-stable").getSpec().getReplicas()).isEqualTo(2);
    }

    // --- helpers

    ModelReleaseStatus awaitStatus(ModelRelease mr, Predicate<ModelReleaseStatus> p) {
        return Releases.awaitStatus(client, mr.getMetadata().getName(), Duration.ofSeconds(30), p);
    }

    ModelRelease current(String name) {
        return client.resources(ModelRelease.class)
                .inNamespace(Releases.NS)
                .withName(name)
                .get();
    }

    void setVersion(String name, String version) {
        // the operator writes the status meanwhile: a conflict is retried, as a user would
        UserEdits.edit(
                client.resources(ModelRelease.class).inNamespace(Releases.NS).withName(name), mr -> {
                    mr.getSpec().getModel().setVersion(version);
                    mr.getSpec().getModel().setUri("file:///models/" + version);
                    if (mr.getMetadata().getAnnotations() == null) {
                        mr.getMetadata().setAnnotations(new HashMap<>());
                    }
                    return mr;
                });
    }

    Deployment deployment(String name) {
        return client.apps()
                .deployments()
                .inNamespace(Releases.NS)
                .withName(name)
                .get();
    }

    /** stable, canary replica counts. */
    List<Integer> replicas() {
        return List.of(
                deployment("assistant-stable").getSpec().getReplicas(),
                deployment("assistant-canary").getSpec().getReplicas());
    }

    /** "service=track" for the public and audience Services ("both" when the Service selects both tracks). */
    List<String> selectors() {
        return List.of("assistant", "assistant-internal", "assistant-closed").stream()
                .map(n -> {
                    Service s = client.services()
                            .inNamespace(Releases.NS)
                            .withName(n)
                            .get();
                    return n + "=" + s.getSpec().getSelector().getOrDefault(Labels.TRACK, "both");
                })
                .toList();
    }

    /** "service=targetPort" for the public, audience and track Services. */
    List<String> targetPorts() {
        return List.of("assistant", "assistant-internal", "assistant-closed", "assistant-stable", "assistant-canary")
                .stream()
                .map(n -> n + "="
                        + client.services()
                                .inNamespace(Releases.NS)
                                .withName(n)
                                .get()
                                .getSpec()
                                .getPorts()
                                .get(0)
                                .getTargetPort()
                                .getStrVal())
                .toList();
    }

    List<String> routeBackends(String name) {
        HTTPRoute route = client.resources(HTTPRoute.class)
                .inNamespace(Releases.NS)
                .withName(name)
                .get();
        List<String> out = new ArrayList<>();
        for (HTTPRouteRule rule : route.getSpec().getRules()) {
            String match = rule.getMatches() == null
                    ? "*"
                    : rule.getMatches().stream()
                            .filter(m -> m.getHeaders() != null)
                            .flatMap(m -> m.getHeaders().stream())
                            .map(h -> h.getValue())
                            .findFirst()
                            .orElse("*");
            out.add(match + "->"
                    + String.join(
                            ",",
                            rule.getBackendRefs().stream()
                                    .map(b -> b.getName() + "=" + b.getWeight())
                                    .toList()));
        }
        return out;
    }

    List<Event> events(String type) {
        return client.v1().events().inNamespace(Releases.NS).list().getItems().stream()
                .filter(e -> type.equals(e.getType()))
                // each occurrence: a repeat counted on an Event (EventRecorder) appears as often as it happened
                .flatMap(e -> java.util.Collections.nCopies(e.getCount() == null ? 1 : e.getCount(), e).stream())
                .toList();
    }

    static Gateway gateway(String name) {
        Gateway gw = new Gateway();
        gw.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(Releases.NS)
                .build());
        gw.setSpec(new GatewaySpec());
        gw.getSpec().setGatewayClassName("example");
        return gw;
    }
}
