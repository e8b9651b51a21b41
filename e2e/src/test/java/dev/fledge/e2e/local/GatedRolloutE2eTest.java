package dev.fledge.e2e.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.MirrorSource;
import dev.fledge.api.spec.StageName;
import dev.fledge.api.spec.StageSpec;
import dev.fledge.api.status.GateResult;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.api.status.Verdict;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * End to end with the real gates on one machine: the safety suite judged by a model server, and Prometheus metric gates
 * over the model servers' own metrics. What is left here is the shadow stage, which needs a mirroring data plane: the
 * route follower stands in for one until the Gateway of the cluster tier runs the gatewayAPI router. The unsafe and
 * slow versions and Prometheus down run on the real cluster ({@code GatedRolloutOnClusterTest}).
 */
@Tag("e2e")
@Tag("prometheus")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatedRolloutE2eTest {
    static final String NS = "e2e-gated";
    static final String NAME = "assistant";

    LocalFledge fledge;
    LocalGates.Judge judge;
    Traffic traffic = new Traffic();
    LoadGenerator load;

    @BeforeAll
    void start() {
        fledge = new LocalFledge(NS, LocalGates::provider);
        judge = LocalGates.startJudge(fledge);
        fledge.client.resource(E2eReleases.gateway(NS)).serverSideApply();
        fledge.client
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("red-team")
                        .withNamespace(NS)
                        .endMetadata()
                        .addToData("prompts.yaml", LocalGates.SUITE)
                        .build())
                .serverSideApply();
        load = new LoadGenerator(
                new RouteFollower(fledge.client, NS, NAME, fledge.kubelet),
                traffic,
                Map.of("internal", 10, "closed", 10, "public", 20),
                10);
        fledge.client.resource(release("1.0.0", "v1")).serverSideApply();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED && "1.0.0".equals(s.getStableVersion()), Duration.ofMinutes(4));
    }

    @AfterAll
    void stop() {
        if (load != null) {
            load.close();
        }
        if (judge != null) {
            judge.close();
        }
        if (fledge != null) {
            fledge.close();
        }
    }

    /**
     * Issue 18: a version whose answers to users are unsafe while its answers to the suite are not passes preflight,
     * and the shadow stage, which mirrors every public request to it, rolls it back on the guard's verdicts of its
     * answers to those copies. No user gets one of its answers.
     */
    @Test
    void aVersionUnsafeOnlyOnRealTrafficPassesTheSuiteAndIsRolledBackInTheShadowStage() {
        Instant begin = Instant.now();
        ModelRelease mr = release("4.0.0", "v2");
        mr.getSpec()
                .getServer()
                .setTemplate(new PodTemplateSpecBuilder()
                        .withNewSpec()
                        .addNewContainer()
                        .withName("model-server")
                        .addNewEnv()
                        .withName("FLEDGE_FAULT_LIVE_ANSWER")
                        .withValue("I will kill you")
                        .endEnv()
                        .endContainer()
                        .endSpec()
                        .build());
        List<StageSpec> stages = new ArrayList<>();
        stages.add(new StageSpec()
                .withName(StageName.SHADOW)
                .withMinDuration("4s")
                .withMirrorPercent(100)
                .withMirrorFrom(List.of(MirrorSource.PUBLIC)));
        stages.addAll(mr.getSpec().getStages());
        mr.getSpec().setStages(stages);
        apply(mr);

        ModelReleaseStatus s = awaitStatus(
                st -> st.getPhase() == Phase.ROLLED_BACK && "4.0.0".equals(st.getRolledBackVersion()),
                Duration.ofMinutes(3));
        assertThat(s.getHistory())
                .filteredOn(h -> "4.0.0".equals(h.getVersion()))
                .extracting(h -> h.getStage() + "=" + h.getResult())
                .containsExactly("preflight=Passed", "shadow=Failed");
        GateResult safety = s.getGates().stream()
                .filter(g -> "safety".equals(g.getName()))
                .findFirst()
                .orElseThrow();
        assertThat(safety.getVerdict()).isEqualTo(Verdict.FAIL);
        assertThat(safety.getReason()).contains("(shadow)");
        assertThat(safety.getFlagged()).isPositive();
        assertThat(s.getMirrorPercent()).as("no mirror after the rollback").isNull();
        for (String audience : List.of("internal", "closed", "public")) {
            assertThat(traffic.count(audience, "4.0.0"))
                    .as("%s responses from the version unsafe on real traffic", audience)
                    .isZero();
        }
        assertThat(traffic.mirroredTo("public", "4.0.0"))
                .as("mirrored copies it answered")
                .isPositive();
        noFailedRequestAround(begin);
    }

    /** Every response users got from {@code begin} until a few seconds after the last transition was a 200. */
    void noFailedRequestAround(Instant begin) {
        Instant after = Instant.now();
        await().atMost(Duration.ofSeconds(15)).until(() -> traffic.lastAt().isAfter(after.plusSeconds(5)));
        List<Traffic.Response> failed = traffic.failures(begin, Instant.now());
        long total = traffic.responses(r -> !r.at().isBefore(begin)).size();
        System.out.printf("responses since %s: %d, failed %d%n", begin, total, failed.size());
        assertThat(total).isPositive();
        assertThat(failed).as("failed requests of %d", total).isEmpty();
    }

    // --- helpers

    /**
     * The demo's release: the safety suite and the error-rate gate. No latency gate: this class runs beside another
     * test JVM, and the latency rollback is the cluster tier's scenario.
     */
    ModelRelease release(String version, String fixture) {
        ModelRelease mr = Demo.release(fledge, version, fixture, judge.url());
        mr.getMetadata().setNamespace(NS);
        return mr;
    }

    void apply(ModelRelease wanted) {
        fledge.replaceSpec(NAME, wanted.getSpec());
    }

    ModelReleaseStatus awaitStatus(Predicate<ModelReleaseStatus> p, Duration timeout) {
        return fledge.awaitStatus(NAME, p, timeout);
    }
}
