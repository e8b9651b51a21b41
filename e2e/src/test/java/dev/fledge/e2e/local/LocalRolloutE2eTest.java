package dev.fledge.e2e.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.operator.gates.ConfiguredGates;
import dev.fledge.testsupport.UserEdits;
import io.fabric8.kubernetes.api.model.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * End to end on one machine: real API server, the operator, real model-server processes, a real Prometheus, and
 * users whose requests follow the route the operator wrote. Scenarios run in order on one release, each asserting
 * on what users saw.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalRolloutE2eTest {
    static final String NS = "e2e-rollout";
    static final String NAME = "assistant";
    /** Public share tolerance: 4 binomial standard deviations (a false failure about once in 16 000 checks). */
    static final double SIGMAS = 4.0;

    LocalFledge fledge;
    Traffic traffic = new Traffic();
    LoadGenerator load;
    Timeline timeline;

    @BeforeAll
    void start() {
        fledge = new LocalFledge(NS, f -> new ConfiguredGates(Map.of()));
        fledge.client.resource(E2eReleases.gateway(NS)).serverSideApply();
        timeline = new Timeline(
                fledge.client,
                NS,
                NAME,
                p -> System.out.printf(
                        "%s %-11s %-9s %3d%% stable=%s canary=%s%n",
                        p.at(), p.phase(), p.stage(), p.weight(), p.stable(), p.canary()));
        load = new LoadGenerator(
                new RouteFollower(fledge.client, NS, NAME, fledge.kubelet),
                traffic,
                Map.of("internal", 10, "closed", 10, "public", 40),
                10);
    }

    @AfterAll
    void stop() {
        for (String audience : List.of("internal", "closed", "public")) {
            System.out.printf(
                    "%s: %s%n",
                    audience,
                    traffic.responses(r -> r.audience().equals(audience)).stream()
                            .collect(
                                    Collectors.groupingBy(r -> r.version() + "/" + r.status(), Collectors.counting())));
        }
        if (load != null) {
            load.close();
        }
        if (timeline != null) {
            timeline.close();
        }
        if (fledge != null) {
            fledge.close();
        }
    }

    @Test
    @Order(1)
    void aFirstReleaseGoesPublic() {
        fledge.client
                .resource(E2eReleases.release(NS, NAME, "1.0.0", fledge.modelUri("v1")))
                .serverSideApply();
        ModelReleaseStatus s = awaitStatus(
                st -> st.getPhase() == Phase.PROMOTED && "1.0.0".equals(st.getStableVersion()), Duration.ofMinutes(3));
        assertThat(s.getCanaryVersion()).isNull();
        Instant promoted = Instant.now();
        await().atMost(Duration.ofSeconds(10)).until(() -> traffic.lastAt().isAfter(promoted.plusSeconds(2)));
        for (String audience : List.of("internal", "closed", "public")) {
            assertThat(traffic.versions(audience, promoted.plusMillis(500), Instant.now()))
                    .as(audience)
                    .containsOnlyKeys("1.0.0");
        }
        Instant publicStage = stageStart("1.0.0", "public");
        // the route changes just before the status does; the timeline polls the status every 100 ms
        assertThat(traffic.responses(r -> r.audience().equals("public")
                        && r.status() == 200
                        && r.at().isBefore(publicStage.minusSeconds(1))))
                .as("the public gets the first version only at the public stage")
                .isEmpty();
        assertThat(traffic.versions(
                        "internal", stageStart("1.0.0", "internal").plusMillis(500), publicStage.minusSeconds(1)))
                .containsOnlyKeys("1.0.0");
    }

    @Test
    @Order(2)
    void aGoodVersionIsPromotedThroughEveryStageWithPublicSharesMatchingTheWeights() {
        Instant begin = Instant.now();
        setVersion("2.0.0", "v2");
        awaitStatus(
                st -> st.getPhase() == Phase.PROMOTED && "2.0.0".equals(st.getStableVersion()), Duration.ofMinutes(3));
        // the timeline polls the status on its own (every 100 ms): let it see the promotion too, which ends the 100%
        // step
        await().atMost(Duration.ofSeconds(5))
                .until(() -> timeline.points().stream().anyMatch(p -> "2.0.0".equals(p.stable())));
        Instant internal = stageStart("2.0.0", "internal");
        Instant closed = stageStart("2.0.0", "closed");
        Instant pub = stageStart("2.0.0", "public");
        assertThat(traffic.versions("internal", internal.plusMillis(500), Instant.now()))
                .as("internal from its stage on")
                .containsOnlyKeys("2.0.0");
        // a route changes just before the status shows it: windows ending at a stage start stop a second early
        assertThat(traffic.versions("closed", internal.plusMillis(500), closed.minusSeconds(1)))
                .as("closed before its stage")
                .containsOnlyKeys("1.0.0");
        assertThat(traffic.versions("closed", closed.plusMillis(500), Instant.now()))
                .as("closed from its stage on")
                .containsOnlyKeys("2.0.0");
        assertThat(traffic.versions("public", internal, pub.minusSeconds(1)))
                .as("public before its stage")
                .containsOnlyKeys("1.0.0");
        List<Timeline.Point> steps = timeline.points().stream()
                .filter(p -> "2.0.0".equals(p.canary()) && "public".equals(p.stage()))
                .toList();
        for (int w : E2eReleases.STEPS) {
            Instant from = steps.stream()
                    .filter(p -> p.weight() == w)
                    .findFirst()
                    .orElseThrow()
                    .at();
            Instant to = timeline.points().stream()
                    .filter(p -> p.at().isAfter(from) && p.weight() != w)
                    .findFirst()
                    .orElseThrow()
                    .at();
            Map<String, Long> seen = traffic.versions("public", from.plusMillis(300), to.minusMillis(300));
            long n = seen.values().stream().mapToLong(Long::longValue).sum();
            double share = seen.getOrDefault("2.0.0", 0L) / (double) n;
            double p = w / 100.0;
            double tolerance = SIGMAS * Math.sqrt(Math.max(p * (1 - p), 0.0025) / n);
            System.out.printf(
                    "public step %d%%: %d responses, %.3f on 2.0.0 (tolerance ±%.3f)%n", w, n, share, tolerance);
            assertThat(n).as("public responses at %d%%", w).isGreaterThan(60);
            assertThat(share).as("share of 2.0.0 at weight %d%%", w).isBetween(p - tolerance, p + tolerance);
        }
        noFailedRequestAround(begin);
    }

    @Test
    @Order(3)
    void aRestartedOperatorResumesWithoutRepeatingOrSkippingAStep() {
        Instant begin = Instant.now();
        setVersion("2.1.0", "v1");
        awaitStatus(
                st -> "closed".equals(st.getStage()) && "2.1.0".equals(st.getCanaryVersion()), Duration.ofMinutes(2));
        fledge.stopOperator();
        ModelReleaseStatus frozen = fledge.current(NAME).getStatus();
        await().pollDelay(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(7)).until(() -> true);
        assertThat(fledge.current(NAME).getStatus().getStage())
                .as("nothing moves while the operator is down")
                .isEqualTo(frozen.getStage());
        fledge.startOperator();
        ModelReleaseStatus done = awaitStatus(
                st -> st.getPhase() == Phase.PROMOTED && "2.1.0".equals(st.getStableVersion()), Duration.ofMinutes(3));
        assertThat(done.getHistory().stream()
                        .filter(h -> "2.1.0".equals(h.getVersion()))
                        .map(h -> h.getStage())
                        .toList())
                .containsExactly("preflight", "internal", "closed", "public", "promoted");
        // consecutive points at one weight are one step (its start is cleared while its split is not in place, the
        // canary growing for it); a step entered again after a later one would show twice
        List<Integer> steps = new ArrayList<>();
        timeline.points().stream()
                .filter(p -> "2.1.0".equals(p.canary()) && "public".equals(p.stage()))
                .forEach(p -> {
                    if (steps.isEmpty() || !steps.get(steps.size() - 1).equals(p.weight())) {
                        steps.add(p.weight());
                    }
                });
        assertThat(steps).as("each public step entered exactly once").containsExactlyElementsOf(E2eReleases.STEPS);
        List<String> stepEvents = events(e -> "StepAdvanced".equals(e.getReason())).stream()
                .map(Event::getMessage)
                .toList();
        assertThat(stepEvents.stream()
                        .filter(m -> m.startsWith("public weight 50%"))
                        .count())
                .as("2.0.0 and 2.1.0")
                .isEqualTo(2);
        assertThat(stepEvents.stream()
                        .filter(m -> m.startsWith("public weight 100%"))
                        .count())
                .as("2.0.0 and 2.1.0")
                .isEqualTo(2);
        noFailedRequestAround(begin);
    }

    @Test
    @Order(4)
    void abortThenRetryThroughTheAnnotation() {
        Instant begin = Instant.now();
        setVersion("2.2.0", "v2");
        awaitStatus(
                st -> "internal".equals(st.getStage()) && "2.2.0".equals(st.getCanaryVersion()), Duration.ofMinutes(2));
        annotate("abort");
        ModelReleaseStatus rolledBack = awaitStatus(st -> st.getPhase() == Phase.ROLLED_BACK, Duration.ofSeconds(30));
        assertThat(rolledBack.getRolledBackVersion()).isEqualTo("2.2.0");
        Instant after = Instant.now();
        await().atMost(Duration.ofSeconds(10)).until(() -> traffic.lastAt().isAfter(after.plusSeconds(3)));
        assertThat(traffic.versions("internal", after.plusSeconds(1), Instant.now()))
                .as("internal back on stable")
                .containsOnlyKeys("2.1.0");
        assertThat(fledge.current(NAME).getMetadata().getAnnotations()).doesNotContainKey(Labels.ACTION);

        annotate("retry");
        awaitStatus(
                st -> st.getPhase() == Phase.PROMOTED && "2.2.0".equals(st.getStableVersion()), Duration.ofMinutes(3));
        assertThat(traffic.count("public", "2.2.0")).isPositive();
        noFailedRequestAround(begin);
    }

    /**
     * Every response users got from {@code begin} until a few seconds after the last transition (so that the
     * seconds around it count) was a 200: no error, no pod missing behind a route, no connection cut.
     */
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

    ModelReleaseStatus awaitStatus(Predicate<ModelReleaseStatus> p, Duration timeout) {
        ModelReleaseStatus[] holder = new ModelReleaseStatus[1];
        await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> {
            ModelRelease mr = fledge.current(NAME);
            holder[0] = mr == null ? null : mr.getStatus();
            return holder[0] != null && p.test(holder[0]);
        });
        return holder[0];
    }

    Instant stageStart(String version, String stage) {
        return timeline.points().stream()
                .filter(p -> version.equals(p.canary()) && stage.equals(p.stage()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + stage + " stage seen for " + version))
                .at();
    }

    void setVersion(String version, String fixture) {
        UserEdits.edit(
                fledge.client.resources(ModelRelease.class).inNamespace(NS).withName(NAME), mr -> {
                    mr.getSpec().getModel().setVersion(version);
                    mr.getSpec().getModel().setUri(fledge.modelUri(fixture));
                    return mr;
                });
    }

    void annotate(String action) {
        UserEdits.edit(
                fledge.client.resources(ModelRelease.class).inNamespace(NS).withName(NAME), mr -> {
                    if (mr.getMetadata().getAnnotations() == null) {
                        mr.getMetadata().setAnnotations(new HashMap<>());
                    }
                    mr.getMetadata().getAnnotations().put(Labels.ACTION, action);
                    return mr;
                });
    }

    List<Event> events(Predicate<Event> filter) {
        return fledge.client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(filter)
                .toList();
    }
}
