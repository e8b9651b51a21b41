package dev.fledge.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What each audience must have seen of one rollout, from the release's status as it was polled
 * ({@link OperatorPodKiller.Point}) and the users' responses: the internal audience on the new version from its stage
 * on, the closed audience from its own, the public never before its stage, and at each public step a share of the new
 * version that matches the step. The replicas router approximates a weight w by pods (ReplicasRouter, docs): with N
 * replicas the canary runs max(1, ceil(w·N/100)) and stable max(1, N - floor(w·N/100)), and kube-proxy picks a
 * backend per connection at random, so the share is binomial around canary/(canary+stable) ({@link #of}). A Gateway
 * splits by the HTTPRoute's weights, so the share is w/100 ({@link #ofWeights}); the binomial bound holds for it too.
 * Windows start {@code settle} after a change and end a second before the next: the operator moves a Service's
 * selector just before it writes the status, and kube-proxy applies it within a moment ({@link #SETTLE}); a route is
 * written in the same pass, and a Gateway applies it later: Traefik rebuilds its configuration at most once per
 * {@code providersThrottleDuration} (2 s by default) after its watch saw the route ({@link #GATEWAY_SETTLE}; a 1.0.0
 * answer to an internal user 2 s after 2.0.0's internal stage began was seen with the node loaded).
 *
 * <p>A stage's audience may get the new version from the pass that entered the stage on, which is before the status
 * says so and before the poller sees it (the poller's read can also be late on a loaded node). So the windows in which
 * an audience must not see the new version end a second before the earlier of the two: the status's
 * {@code stageStartedAt} ({@link #closedEntered}, {@link #publicEntered}), and the poll. Windows in which it must see
 * the new version start from the poll, the later one.
 */
record AudienceShares(
        String version,
        java.util.function.IntToDoubleFunction expected,
        Duration settle,
        Instant internal,
        Instant closed,
        Instant publicStage,
        Instant closedEntered,
        Instant publicEntered,
        List<Step> steps,
        Instant end) {
    static final Duration SETTLE = Duration.ofSeconds(2);
    static final Duration GATEWAY_SETTLE = Duration.ofSeconds(5);
    /** 4 binomial standard deviations: a false failure about once in 16 000 checks. */
    static final double SIGMAS = 4.0;

    record Step(int weight, Instant from, Instant to) {}

    /** A rollout of the replicas router with {@code replicas} pods. */
    static AudienceShares of(List<OperatorPodKiller.Point> points, String version, int replicas) {
        return of(points, version, weight -> replicaShare(weight, replicas), SETTLE);
    }

    /** A rollout whose public split is the route's weights. */
    static AudienceShares ofWeights(List<OperatorPodKiller.Point> points, String version) {
        return of(points, version, weight -> Math.min(weight, 100) / 100.0, GATEWAY_SETTLE);
    }

    private static AudienceShares of(
            List<OperatorPodKiller.Point> points,
            String version,
            java.util.function.IntToDoubleFunction expected,
            Duration settle) {
        Instant internal = stageStart(points, version, "internal");
        Instant closed = stageStart(points, version, "closed");
        Instant publicStage = stageStart(points, version, "public");
        List<Step> steps = new ArrayList<>();
        Integer weight = null;
        Instant from = null;
        Instant end = null;
        for (OperatorPodKiller.Point p : points) {
            if (p.at().isBefore(publicStage)) {
                continue;
            }
            boolean inStep = version.equals(p.canary()) && "public".equals(p.stage()) && p.weight() != null;
            if (weight != null && (!inStep || !p.weight().equals(weight))) {
                steps.add(new Step(weight, from, p.at()));
                weight = null;
            }
            if (!version.equals(p.canary())) {
                end = p.at();
                break;
            }
            // a step counts once its split is in place: while it waits for it (the canary growing), the public Service
            // holds the canary below the step's weight (status.stepWaitingSince)
            if (inStep && weight == null && p.stepInPlace()) {
                weight = p.weight();
                from = p.at();
            }
        }
        assertThat(end)
                .as("the status points reach the promotion of %s", version)
                .isNotNull();
        return new AudienceShares(
                version,
                expected,
                settle,
                internal,
                closed,
                publicStage,
                stageEntered(points, version, "closed"),
                stageEntered(points, version, "public"),
                steps,
                end);
    }

    private static Instant stageStart(List<OperatorPodKiller.Point> points, String version, String stage) {
        return firstIn(points, version, stage).at();
    }

    /** The earlier of the stage's first poll and the status's {@code stageStartedAt} at that poll. */
    private static Instant stageEntered(List<OperatorPodKiller.Point> points, String version, String stage) {
        OperatorPodKiller.Point first = firstIn(points, version, stage);
        Instant startedAt = first.stageStartedAt();
        return startedAt != null && startedAt.isBefore(first.at()) ? startedAt : first.at();
    }

    private static OperatorPodKiller.Point firstIn(List<OperatorPodKiller.Point> points, String version, String stage) {
        return points.stream()
                .filter(p -> version.equals(p.canary()) && stage.equals(p.stage()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no stage " + stage + " of " + version + " in the status"));
    }

    /** The end of the window in which the public must not get the new version: a second before its stage began. */
    Instant beforePublic() {
        return publicEntered.minusSeconds(1);
    }

    /** The share of the new version the public should get at weight w: canary pods over all the public pods. */
    static double replicaShare(int weight, int replicas) {
        if (weight >= 100) {
            return 1.0;
        }
        int canary = Math.max(1, (int) Math.ceil(weight * replicas / 100.0));
        int stable = Math.max(1, replicas - (int) Math.floor(weight * replicas / 100.0));
        return canary / (double) (canary + stable);
    }

    void check(ServiceUsers publicUsers, ServiceUsers internalUsers, ServiceUsers closedUsers) {
        Duration second = Duration.ofSeconds(1);
        assertThat(internalUsers.versionsBetween(internal.plus(settle), end))
                .as("internal from its stage on")
                .containsOnlyKeys(version);
        assertThat(closedUsers.versionsBetween(internal.plus(settle), closedEntered.minus(second)))
                .as(
                        "closed before its stage (entered %s, polled %s; seen %s)",
                        closedEntered, closed, closedUsers.spanBetween(internal, closed))
                .isNotEmpty()
                .doesNotContainKey(version);
        assertThat(closedUsers.versionsBetween(closed.plus(settle), end))
                .as("closed from its stage on")
                .containsOnlyKeys(version);
        assertThat(publicUsers.versionsBetween(internal, beforePublic()))
                .as(
                        "public before its stage (internal %s, public entered %s, polled %s; seen %s)",
                        internal, publicEntered, publicStage, publicUsers.spanBetween(internal, publicStage))
                .isNotEmpty()
                .doesNotContainKey(version);
        assertThat(steps.stream().map(Step::weight).distinct().toList())
                .as("public steps seen")
                .isNotEmpty()
                .endsWith(100);
        for (Step step : steps) {
            Map<String, Long> seen = publicUsers.versionsBetween(
                    step.from().plus(settle), step.to().minus(second));
            long n = seen.values().stream().mapToLong(Long::longValue).sum();
            double share = seen.getOrDefault(version, 0L) / (double) n;
            double p = expected.applyAsDouble(step.weight());
            double tolerance = SIGMAS * Math.sqrt(Math.max(p * (1 - p), 0.0025) / n);
            System.out.printf(
                    "cluster: public step %d%%: %d responses, %.3f on %s (expected %.3f ± %.3f); step %s..%s, seen %s%n",
                    step.weight(),
                    n,
                    share,
                    version,
                    p,
                    tolerance,
                    step.from(),
                    step.to(),
                    publicUsers.spanBetween(step.from(), step.to()));
            assertThat(n).as("public responses at %d%%", step.weight()).isGreaterThan(150);
            assertThat(share)
                    .as("share of %s at weight %d%% (%s)", version, step.weight(), seen)
                    .isBetween(p - tolerance, p + tolerance);
        }
    }
}
