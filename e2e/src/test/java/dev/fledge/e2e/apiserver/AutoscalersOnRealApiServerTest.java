package dev.fledge.e2e.apiserver;

import static dev.fledge.e2e.apiserver.JsonEdit.set;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AutoscalingSpec;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.e2e.rollout.ProductionReconciler;
import dev.fledge.e2e.rollout.RolloutScenario;
import dev.fledge.e2e.rollout.TestReleases;
import dev.fledge.operator.workload.Applier;
import dev.fledge.testsupport.DeploymentReadiness;
import dev.fledge.testsupport.GatewaySimulator;
import dev.fledge.testsupport.InProcessOperator;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code spec.server.autoscaling} (issue 18, part 3) on the real API server: the CRD's rules, the
 * HorizontalPodAutoscalers the operator writes (autoscaling/v2, stored as written), and field ownership of {@code
 * spec.replicas} between the operator's server-side apply and an autoscaler writing the scale subresource, as the HPA
 * controller does. No controller runs here: the test writes the scale subresource itself.
 */
@Tag("apiserver")
class AutoscalersOnRealApiServerTest {
    static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);
    static final String NAME = "assistant";

    static KubernetesClient client;
    static ClusterResources cluster;
    static ModelReleaseFixtures fixtures;
    InProcessOperator operator;
    GatewaySimulator gateway;
    DeploymentReadiness kubelet;
    Watch watch;

    @BeforeAll
    static void install() {
        client = RealApiServer.shared().client();
        cluster = new ClusterResources(client);
        cluster.installCrds(List.of(RepoFiles.modelReleaseCrd()));
        cluster.installCrds(RepoFiles.gatewayApiCrds());
        fixtures = new ModelReleaseFixtures(client);
    }

    @AfterEach
    void stop() {
        if (watch != null) {
            watch.close();
        }
        if (operator != null) {
            operator.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (kubelet != null) {
            kubelet.close();
        }
    }

    private RolloutScenario start(String namespace) {
        cluster.ensureNamespace(namespace);
        kubelet = new DeploymentReadiness(client, namespace);
        gateway = GatewaySimulator.start(client, Set.of(namespace));
        operator = InProcessOperator.watching(client, ProductionReconciler.withoutGates(client), namespace);
        client.resource(OperatorOnRealApiServerTest.gateway(namespace, "public-gw"))
                .fieldManager(ClusterResources.FIELD_MANAGER)
                .serverSideApply();
        return new RolloutScenario(client, namespace, NAME, STEP_TIMEOUT);
    }

    static ModelRelease autoscaled(String ns, String version, int min, int max) {
        ModelRelease mr = TestReleases.gatewayApi(ns, NAME, version, "public-gw");
        mr.getSpec()
                .setServer(new ServerSpec()
                        .withAutoscaling(new AutoscalingSpec()
                                .withMinReplicas(min)
                                .withMaxReplicas(max)
                                .withTargetCPUUtilization(70)));
        return mr;
    }

    static ModelRelease fixed(String ns, String version, int replicas) {
        ModelRelease mr = TestReleases.gatewayApi(ns, NAME, version, "public-gw");
        mr.getSpec().setServer(new ServerSpec().withReplicas(replicas));
        return mr;
    }

    @Test
    void eachTrackGetsAnAutoscalerThatTheOperatorNeverFightsAndStableKeepsItsSizeThroughARollout() {
        String ns = "autoscale-rollout";
        RolloutScenario scenario = start(ns);
        scenario.firstReleaseIsPromoted(autoscaled(ns, "1.0.0", 2, 6));

        HorizontalPodAutoscaler stableHpa = awaitHpa(ns, "stable", 2);
        assertThat(stableHpa.getSpec().getMaxReplicas()).isEqualTo(6);
        assertThat(stableHpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        assertThat(stableHpa.getSpec().getScaleTargetRef().getName()).isEqualTo(NAME + "-stable");
        assertThat(stableHpa.getSpec().getMetrics())
                .singleElement()
                .satisfies(m -> assertThat(m.getContainerResource().getTarget().getAverageUtilization())
                        .isEqualTo(70));
        assertThat(stableHpa.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o -> assertThat(o.getKind()).isEqualTo("ModelRelease"));
        assertThat(deployment(ns, "stable").getSpec().getReplicas()).isEqualTo(2);

        // the HPA controller scales stable to 4 through the scale subresource
        client.apps().deployments().inNamespace(ns).withName(NAME + "-stable").scale(4);
        List<Integer> seen = watchReplicas(ns, "stable"); // from the scale on
        scenario.mergePatch("{\"metadata\":{\"annotations\":{\"test.fledge.dev/nudge\":\"1\"}}}");
        // several passes (the nudge, the Deployment's own events) and no write back over the autoscaler
        await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> true);
        assertThat(deployment(ns, "stable").getSpec().getReplicas()).isEqualTo(4);
        assertThat(replicasOwners(deployment(ns, "stable")))
                .as("who owns spec.replicas")
                .doesNotContain(Applier.FIELD_MANAGER + ":Apply");

        // a rollout: a canary autoscaler appears, stable's floor holds what it runs, the canary's follows its weight
        // at public 100% the canary's autoscaler grows it to 5 (its load): stable must be as large before it takes
        // everyone at the promotion
        List<Integer> canaryFloors = new CopyOnWriteArrayList<>();
        Thread canaryLoad = new Thread(() -> growCanaryAtFullWeight(ns, scenario, canaryFloors), "canary-load");
        canaryLoad.setDaemon(true);
        canaryLoad.start();
        scenario.gatewayApiRolloutIsPromoted(autoscaled(ns, "2.0.0", 2, 6), "public-gw");
        canaryLoad.interrupt();
        assertThat(seen).as("stable's replicas as the API server stored them").allMatch(r -> r >= 4);
        assertThat(canaryFloors)
                .as("the canary's minReplicas: its public share of stable's 4 (at least 2), and while promoting the"
                        + " 5 it grew to")
                .contains(2, 4)
                .allMatch(f -> f >= 2 && f <= 5);
        assertThat(deployment(ns, "stable").getSpec().getReplicas())
                .as("stable took everyone at the canary's size")
                .isEqualTo(5);
        // after the promotion stable's autoscaler is free again, and the canary's is gone with its pods
        awaitHpa(ns, "stable", 2);
        await("the canary's autoscaler deleted")
                .atMost(STEP_TIMEOUT)
                .untilAsserted(() -> assertThat(hpa(ns, "canary")).isNull());
        assertThat(deployment(ns, "canary").getSpec().getReplicas()).isZero();

        // autoscaling off: only with server.replicas (else the tracks would drop to the default 2 at once)
        ModelRelease noSize = TestReleases.gatewayApi(ns, NAME, "2.0.0", "public-gw");
        var refusedOff = catchThrowableOfType(KubernetesClientException.class, () -> scenario.apply(noSize));
        assertThat(refusedOff).as("removing autoscaling without replicas").isNotNull();
        assertThat(refusedOff.getMessage()).contains("server.autoscaling can be removed only together with");
        // the autoscaler goes, and the operator's apply owns replicas again
        scenario.apply(fixed(ns, "2.0.0", 3));
        await("stable's autoscaler deleted and stable at 3 replicas")
                .atMost(STEP_TIMEOUT)
                .untilAsserted(() -> {
                    assertThat(hpa(ns, "stable")).isNull();
                    assertThat(deployment(ns, "stable").getSpec().getReplicas()).isEqualTo(3);
                });
        assertThat(replicasOwners(deployment(ns, "stable"))).contains(Applier.FIELD_MANAGER + ":Apply");
    }

    @Test
    void turningAutoscalingOnKeepsTheReplicasTheDeploymentRuns() {
        String ns = "autoscale-on";
        RolloutScenario scenario = start(ns);
        scenario.firstReleaseIsPromoted(fixed(ns, "1.0.0", 3));
        await().atMost(STEP_TIMEOUT)
                .untilAsserted(
                        () -> assertThat(deployment(ns, "stable").getSpec().getReplicas())
                                .isEqualTo(3));
        assertThat(replicasOwners(deployment(ns, "stable"))).contains(Applier.FIELD_MANAGER + ":Apply");
        List<Integer> seen = watchReplicas(ns, "stable");

        // dropping replicas from an apply that alone owns it would delete the field: the Deployment would fall to 1
        scenario.apply(autoscaled(ns, "1.0.0", 1, 5));
        awaitHpa(ns, "stable", 1);
        await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> true);
        assertThat(seen).as("stable's replicas as the API server stored them").allMatch(r -> r == 3);
        Deployment stable = deployment(ns, "stable");
        assertThat(stable.getSpec().getReplicas()).isEqualTo(3);
        assertThat(replicasOwners(stable)).doesNotContain(Applier.FIELD_MANAGER + ":Apply");
    }

    @Test
    void theCrdRefusesAutoscalingWithReplicasCanaryOrTheReplicasRouterAndAMinimumAboveTheMaximum() {
        String ns = "autoscale-crd";
        cluster.ensureNamespace(ns);
        Consumer<ObjectNode> gatewayApi =
                set("/spec/traffic", Map.of("gatewayAPI", Map.of("parentRefs", List.of(Map.of("name", "gw")))));
        Consumer<ObjectNode> autoscaling = set("/spec/server", Map.of("autoscaling", Map.of("maxReplicas", 4)));
        GenericKubernetesResource accepted =
                cluster.dryRunApply(fixtures.validRelease(gatewayApi.andThen(autoscaling)), ns);
        assertThat(accepted.getAdditionalProperties().toString()).contains("autoscaling={maxReplicas=4}");

        assertThat(refused(ns, autoscaling)).contains("server.autoscaling needs the gatewayAPI router");
        assertThat(refused(
                        ns,
                        gatewayApi.andThen(
                                set("/spec/server", Map.of("replicas", 2, "autoscaling", Map.of("maxReplicas", 4))))))
                .contains("spec.server.autoscaling: ", "server.autoscaling: not with server.replicas");
        assertThat(refused(
                        ns,
                        gatewayApi.andThen(set(
                                "/spec/server",
                                Map.of(
                                        "canary",
                                        Map.of("matchTrafficWeight", true),
                                        "autoscaling",
                                        Map.of("maxReplicas", 4))))))
                .contains("server.autoscaling: not with server.canary or server.dynamicStableScale");
        assertThat(refused(
                        ns,
                        gatewayApi.andThen(set(
                                "/spec/server", Map.of("autoscaling", Map.of("minReplicas", 5, "maxReplicas", 4))))))
                .contains("minReplicas (default 1) must not exceed maxReplicas");
        assertThat(refused(ns, gatewayApi.andThen(set("/spec/server", Map.of("autoscaling", Map.of())))))
                .contains("maxReplicas");
        assertThat(refused(ns, gatewayApi.andThen(podsMetric("queue", "five")))).contains("averageValue");
        assertThat(refused(ns, gatewayApi.andThen(podsMetric("queue/depth", "0"))))
                .contains("podsMetric.name", "podsMetric.averageValue");
    }

    /**
     * Records the canary autoscaler's minReplicas while the rollout runs, and scales the canary to 5 through the scale
     * subresource (as its HPA would under load) once the status says public 100%.
     */
    private void growCanaryAtFullWeight(String ns, RolloutScenario scenario, List<Integer> floors) {
        boolean grown = false;
        while (!Thread.currentThread().isInterrupted()) {
            try {
                HorizontalPodAutoscaler canary = hpa(ns, "canary");
                if (canary != null) {
                    floors.add(canary.getSpec().getMinReplicas());
                }
                var st = scenario.view().release().getStatus();
                if (!grown
                        && st != null
                        && "public".equals(st.getStage())
                        && Integer.valueOf(100).equals(st.getCanaryWeight())) {
                    client.apps()
                            .deployments()
                            .inNamespace(ns)
                            .withName(NAME + "-canary")
                            .scale(5);
                    grown = true;
                }
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // the release or the autoscaler between two writes: look again
            }
        }
    }

    /** An autoscaling spec (max 4) whose podsMetric has this name and averageValue. */
    private static Consumer<ObjectNode> podsMetric(String name, String averageValue) {
        return set(
                "/spec/server",
                Map.of(
                        "autoscaling",
                        Map.of("maxReplicas", 4, "podsMetric", Map.of("name", name, "averageValue", averageValue))));
    }

    private String refused(String ns, Consumer<ObjectNode> edit) {
        var error = catchThrowableOfType(
                KubernetesClientException.class, () -> cluster.dryRunApply(fixtures.validRelease(edit), ns));
        assertThat(error).as("refused").isNotNull();
        assertThat(error.getCode()).isEqualTo(422);
        return error.getMessage();
    }

    private HorizontalPodAutoscaler awaitHpa(String ns, String track, int min) {
        HorizontalPodAutoscaler[] found = new HorizontalPodAutoscaler[1];
        await("the " + track + " autoscaler at minReplicas " + min)
                .atMost(STEP_TIMEOUT)
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    found[0] = hpa(ns, track);
                    assertThat(found[0]).isNotNull();
                    assertThat(found[0].getSpec().getMinReplicas()).isEqualTo(min);
                });
        return found[0];
    }

    private HorizontalPodAutoscaler hpa(String ns, String track) {
        return client.autoscaling()
                .v2()
                .horizontalPodAutoscalers()
                .inNamespace(ns)
                .withName(NAME + "-" + track)
                .get();
    }

    private Deployment deployment(String ns, String track) {
        return client.apps()
                .deployments()
                .inNamespace(ns)
                .withName(NAME + "-" + track)
                .get();
    }

    /** Every {@code spec.replicas} the API server stores for the track's Deployment from now on. */
    private List<Integer> watchReplicas(String ns, String track) {
        List<Integer> seen = new CopyOnWriteArrayList<>();
        watch = client.apps()
                .deployments()
                .inNamespace(ns)
                .withName(NAME + "-" + track)
                .watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, Deployment d) {
                        if (d.getSpec() != null && d.getSpec().getReplicas() != null) {
                            seen.add(d.getSpec().getReplicas());
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {}
                });
        return seen;
    }

    /** "manager:operation" of every managed-fields entry that owns {@code spec.replicas}. */
    private static List<String> replicasOwners(Deployment d) {
        return d.getMetadata().getManagedFields().stream()
                .filter(AutoscalersOnRealApiServerTest::ownsReplicas)
                .map(m -> m.getManager() + ":" + m.getOperation())
                .toList();
    }

    private static boolean ownsReplicas(ManagedFieldsEntry m) {
        return m.getFieldsV1() != null
                && m.getFieldsV1().getAdditionalProperties().get("f:spec") instanceof Map<?, ?> spec
                && spec.containsKey("f:replicas");
    }
}
