package dev.fledge.e2e.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.testsupport.UserEdits;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.function.Predicate;
import org.awaitility.core.ThrowingRunnable;

/**
 * The rollout scenario of the real-cluster tiers, written once: the user applies releases
 * (server-side apply as {@value #USER_MANAGER}, never forcing, so any spec field the operator
 * took over would fail the apply with a conflict) and the scenario asserts, at each stage and
 * step, what the operator did to the Deployments, Services and HTTPRoute.
 *
 * <p>Something else must make Deployments ready: {@link StatusSubresourceKubelet} on a bare API
 * server, the real controllers and kubelet on k3s. {@code stepTimeout} bounds each wait.
 */
public final class RolloutScenario {

    public static final String USER_MANAGER = "fledge-e2e-user";

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final Duration stepTimeout;
    private final ReleaseView view;

    public RolloutScenario(KubernetesClient client, String namespace, String name, Duration stepTimeout) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
        this.stepTimeout = stepTimeout;
        this.view = new ReleaseView(client, namespace, name);
    }

    public ReleaseView view() {
        return view;
    }

    /** {@code kubectl apply --server-side} of the user's manifest, without --force-conflicts. */
    public void apply(ModelRelease manifest) {
        manifest.getMetadata().setNamespace(namespace);
        manifest.getMetadata().setName(name);
        client.resource(manifest).fieldManager(USER_MANAGER).serverSideApply();
    }

    /** The first version has nothing to split with: it becomes stable and Promoted. */
    public ModelReleaseStatus firstReleaseIsPromoted(ModelRelease first) {
        String version = first.getSpec().getModel().getVersion();
        apply(first);
        ModelReleaseStatus st = awaitStatus(
                "first release " + version + " promoted",
                s -> s.getPhase() == Phase.PROMOTED && version.equals(s.getStableVersion()),
                () -> assertThat(view.eventReasons("Normal")).contains("Promoted"));
        assertThat(versionOf(Labels.TRACK_STABLE)).isEqualTo(version);
        return st;
    }

    /** replicas router: audience Services switch track, then the public weight moves by replicas. */
    public void replicasRolloutIsPromoted(ModelRelease next) {
        replicasRolloutIsPromoted(next.getSpec().getModel().getVersion(), () -> apply(next));
    }

    /** As {@link #replicasRolloutIsPromoted(ModelRelease)}, the rollout to {@code version} started by {@code start}. */
    public void replicasRolloutIsPromoted(String version, Runnable start) {
        start.run();
        awaitStage(
                "internal",
                null,
                () -> assertThat(view.selectors())
                        .containsExactly(name + "=stable", name + "-internal=canary", name + "-closed=stable"));
        assertThat(versionOf(Labels.TRACK_CANARY)).isEqualTo(version);
        awaitStage(
                "closed",
                null,
                () -> assertThat(view.selectors())
                        .containsExactly(name + "=stable", name + "-internal=canary", name + "-closed=canary"));
        awaitStage("public", 25, () -> {
            assertThat(view.selectors()).first().isEqualTo(name + "=both");
            assertThat(view.replicas()).isEqualTo(List.of(2, 1));
        });
        awaitStage("public", 50, () -> {
            assertThat(view.selectors()).first().isEqualTo(name + "=both");
            assertThat(view.replicas()).isEqualTo(List.of(1, 1));
        });
        awaitStage("public", 100, () -> assertThat(view.selectors()).first().isEqualTo(name + "=canary"));
        awaitPromoted(version, () -> {
            assertThat(view.selectors())
                    .containsExactly(name + "=stable", name + "-internal=stable", name + "-closed=stable");
            assertThat(view.replicas()).isEqualTo(List.of(2, 0));
        });
    }

    /** gatewayAPI router: header rules for the audiences, then weighted backendRefs. */
    public void gatewayApiRolloutIsPromoted(ModelRelease next, String gateway) {
        String version = next.getSpec().getModel().getVersion();
        apply(next);
        String stable = name + "-stable";
        String canary = name + "-canary";
        awaitStage(
                "internal",
                null,
                () -> assertThat(view.routeBackends())
                        .containsExactly(
                                "internal->" + canary + "=1",
                                "closed->" + stable + "=1",
                                "*->" + stable + "=100," + canary + "=0"));
        assertThat(view.route().getSpec().getParentRefs())
                .singleElement()
                .satisfies(p -> assertThat(p.getName()).isEqualTo(gateway));
        // the backendRefs name real Services, each selecting its track
        assertThat(view.serviceTrack(stable)).isEqualTo(Labels.TRACK_STABLE);
        assertThat(view.serviceTrack(canary)).isEqualTo(Labels.TRACK_CANARY);
        awaitStage(
                "closed",
                null,
                () -> assertThat(view.routeBackends())
                        .containsExactly(
                                "internal->" + canary + "=1",
                                "closed->" + canary + "=1",
                                "*->" + stable + "=100," + canary + "=0"));
        for (int w : List.of(25, 50, 100)) {
            awaitStage(
                    "public",
                    w,
                    () -> assertThat(view.routeBackends())
                            .last()
                            .isEqualTo("*->" + stable + "=" + (100 - w) + "," + canary + "=" + w));
        }
        awaitPromoted(
                version,
                () -> assertThat(view.routeBackends())
                        .containsExactly(
                                "internal->" + stable + "=1",
                                "closed->" + stable + "=1",
                                "*->" + stable + "=100," + canary + "=0"));
        // what the operator reads back after each apply matched what it applied (defaulting included)
        assertThat(view.eventReasons("Warning")).doesNotContain("RouteDrift", "RouteNotAccepted");
    }

    /**
     * A further version is aborted mid-rollout with the {@code fledge.dev/action: abort}
     * annotation: everybody goes back to the stable version, the canary scales to zero, the
     * annotation is consumed and a Warning event says why.
     */
    public void abortedRolloutRollsBack(ModelRelease next, boolean gatewayApi) {
        abortedRolloutRollsBack(next.getSpec().getModel().getVersion(), () -> apply(next), gatewayApi);
    }

    /** As {@link #abortedRolloutRollsBack(ModelRelease, boolean)}, the rollout to {@code version} started by {@code start}. */
    public void abortedRolloutRollsBack(String version, Runnable start, boolean gatewayApi) {
        String stableBefore = view.release().getStatus().getStableVersion();
        start.run();
        awaitStage("closed", null, () -> {});
        annotate("abort");
        ModelReleaseStatus st =
                awaitStatus("rolled back from " + version, s -> s.getPhase() == Phase.ROLLED_BACK, () -> {
                    assertThat(view.replicas()).isEqualTo(List.of(2, 0));
                    assertThat(view.release().getMetadata().getAnnotations()).doesNotContainKey(Labels.ACTION);
                    assertThat(view.eventReasons("Warning")).contains("Aborted");
                });
        assertThat(st.getStableVersion()).isEqualTo(stableBefore);
        assertThat(st.getRolledBackVersion()).isEqualTo(version);
        assertThat(versionOf(Labels.TRACK_STABLE)).isEqualTo(stableBefore);
        if (gatewayApi) {
            assertThat(view.routeBackends())
                    .containsExactly(
                            "internal->" + name + "-stable=1",
                            "closed->" + name + "-stable=1",
                            "*->" + name + "-stable=100," + name + "-canary=0");
        } else {
            assertThat(view.selectors())
                    .containsExactly(name + "=stable", name + "-internal=stable", name + "-closed=stable");
        }
        assertThat(st.getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Degraded");
            assertThat(c.getStatus()).isEqualTo("True");
        });
    }

    /**
     * A further version whose canary cannot start (its pods keep failing): the release says why in the condition
     * {@code CanaryNotReady}, whose message carries {@code detail} (what the failing container left in its
     * termination log), with a Warning event of that reason, long before its {@code progressDeadline}. Then it is
     * aborted: everybody stays on the stable version, which never stopped serving.
     */
    public void canaryThatCannotStartIsExplainedAndAborted(String version, Runnable start, String detail) {
        String stableBefore = view.release().getStatus().getStableVersion();
        start.run();
        awaitStatus(
                "the canary " + version + " is not ready and the status says why",
                s -> s.getConditions() != null
                        && s.getConditions().stream()
                                .anyMatch(c -> "CanaryNotReady".equals(c.getType())
                                        && "True".equals(c.getStatus())
                                        && c.getMessage() != null
                                        && c.getMessage().contains(detail)),
                () -> {
                    assertThat(view.eventReasons("Warning")).contains("CanaryNotReady");
                    assertThat(view.release().getStatus().getPhase()).isEqualTo(Phase.PROGRESSING);
                });
        annotate("abort");
        ModelReleaseStatus st =
                awaitStatus("rolled back from " + version, s -> s.getPhase() == Phase.ROLLED_BACK, () -> {
                    assertThat(view.release().getMetadata().getAnnotations()).doesNotContainKey(Labels.ACTION);
                });
        assertThat(st.getStableVersion()).isEqualTo(stableBefore);
        assertThat(st.getRolledBackVersion()).isEqualTo(version);
        assertThat(versionOf(Labels.TRACK_STABLE)).isEqualTo(stableBefore);
    }

    /**
     * {@code kubectl annotate mrel NAME fledge.dev/action=retry --overwrite} after a rollback: the rolled-back version
     * is rolled out again from the first stage and promoted; the annotation is consumed.
     */
    public void retriedRolloutIsPromoted(String version) {
        assertThat(view.release().getStatus().getRolledBackVersion()).isEqualTo(version);
        annotate("retry");
        awaitStage(
                "internal",
                null,
                () -> assertThat(versionOf(Labels.TRACK_CANARY)).isEqualTo(version));
        awaitPromoted(version, () -> {
            assertThat(view.release().getMetadata().getAnnotations()).doesNotContainKey(Labels.ACTION);
            assertThat(view.selectors())
                    .containsExactly(name + "=stable", name + "-internal=stable", name + "-closed=stable");
        });
    }

    /** {@code kubectl patch mrel NAME --type merge -p JSON}, as the README's user starts a rollout. */
    public void mergePatch(String json) {
        client.resources(ModelRelease.class)
                .inNamespace(namespace)
                .withName(name)
                .patch(PatchContext.of(PatchType.JSON_MERGE), json);
    }

    /** {@code kubectl annotate mrel NAME fledge.dev/action=ACTION --overwrite}. */
    public void annotate(String action) {
        UserEdits.edit(
                client.resources(ModelRelease.class).inNamespace(namespace).withName(name), mr -> {
                    if (mr.getMetadata().getAnnotations() == null) {
                        mr.getMetadata().setAnnotations(new HashMap<>());
                    }
                    mr.getMetadata().getAnnotations().put(Labels.ACTION, action);
                    return mr;
                });
    }

    /**
     * Server-side apply is what wrote everything: the user's manager owns the spec, the operator
     * applied the status through the status subresource (JOSDK's default) and its Deployments and
     * Services as {@code fledge-operator}; nobody wrote with a plain update.
     */
    public void everythingWasServerSideApplied() {
        List<String> release = managers(view.release());
        assertThat(release)
                .contains(USER_MANAGER + ":Apply:")
                .anySatisfy(m -> assertThat(m).endsWith(":Apply:status"))
                .noneSatisfy(m -> assertThat(m).contains(":Update:status"));
        for (String track : List.of(Labels.TRACK_STABLE, Labels.TRACK_CANARY)) {
            assertThat(managers(view.deployment(track)))
                    .as("managers of the %s Deployment", track)
                    .contains("fledge-operator:Apply:");
        }
    }

    private static List<String> managers(HasMetadata o) {
        return o.getMetadata().getManagedFields().stream()
                .map(m -> m.getManager()
                        + ":"
                        + m.getOperation()
                        + ":"
                        + (m.getSubresource() == null ? "" : m.getSubresource()))
                .toList();
    }

    /** Waits until the status matches ({@code what} names it in the failure); that status. */
    public ModelReleaseStatus awaitStatus(String what, Predicate<ModelReleaseStatus> status) {
        return awaitStatus(what, status, () -> {});
    }

    private void awaitPromoted(String version, ThrowingRunnable outcome) {
        ModelReleaseStatus done = awaitStatus(
                "promoted " + version,
                s -> s.getPhase() == Phase.PROMOTED && version.equals(s.getStableVersion()),
                outcome);
        assertThat(done.getCanaryVersion()).isNull();
        assertThat(versionOf(Labels.TRACK_STABLE)).isEqualTo(version);
        // the canary keeps its pods for spec.traffic.scaleDownDelay after the routes left it
        await("canary scaled to zero after the delay")
                .atMost(stepTimeout)
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(
                                view.deployment(Labels.TRACK_CANARY).getSpec().getReplicas())
                        .isZero());
        assertThat(view.deployment(Labels.TRACK_STABLE).getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o -> assertThat(o.getKind()).isEqualTo("ModelRelease"));
        assertThat(done.getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Ready");
            assertThat(c.getStatus()).isEqualTo("True");
        });
        assertThat(view.eventReasons("Normal")).contains("StepAdvanced");
    }

    private void awaitStage(String stage, Integer weight, ThrowingRunnable outcome) {
        awaitStatus(
                "stage " + stage + (weight == null ? "" : " at " + weight + "%"),
                s -> stage.equals(s.getStage()) && (weight == null || weight.equals(s.getCanaryWeight())),
                outcome);
    }

    /**
     * Waits until the status matches and, at the same time, the cluster shows the outcome (both
     * are read again on every poll, so a stage that has moved on is not asserted on).
     */
    private ModelReleaseStatus awaitStatus(
            String what, Predicate<ModelReleaseStatus> status, ThrowingRunnable outcome) {
        ModelReleaseStatus[] seen = new ModelReleaseStatus[1];
        await(what)
                .atMost(stepTimeout)
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .untilAsserted(() -> {
                    ModelRelease now = view.release();
                    ModelReleaseStatus st = now == null ? null : now.getStatus();
                    assertThat(st != null && status.test(st))
                            .as("%s; status now: %s", what, describe(st))
                            .isTrue();
                    outcome.run();
                    seen[0] = st;
                });
        return seen[0];
    }

    private static String describe(ModelReleaseStatus s) {
        return s == null
                ? "none"
                : "phase=%s stage=%s weight=%s stable=%s canary=%s message=%s"
                        .formatted(
                                s.getPhase(),
                                s.getStage(),
                                s.getCanaryWeight(),
                                s.getStableVersion(),
                                s.getCanaryVersion(),
                                s.getMessage());
    }

    private String versionOf(String track) {
        return view.deployment(track)
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getLabels()
                .get(Labels.VERSION);
    }
}
