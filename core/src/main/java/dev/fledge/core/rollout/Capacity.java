package dev.fledge.core.rollout;

import dev.fledge.api.spec.CanaryScaleSpec;
import dev.fledge.api.spec.DynamicStableScaleSpec;
import dev.fledge.api.spec.ServerSpec;
import java.util.Set;

/**
 * How many replicas each track runs, and which split the routes may carry meanwhile, when {@code spec.server.canary}
 * or {@code spec.server.dynamicStableScale} is set (as Argo Rollouts' setCanaryScale and dynamicStableScale). Pure.
 *
 * <ul>
 * <li>The canary runs {@link #canaryFor} replicas: {@code server.replicas} by default (from preflight on, as before),
 * a fixed number, or {@code ceil(weight% x replicas)} and at least 1 with {@code matchTrafficWeight} (preflight,
 * internal and closed have public weight 0: one replica). A first release (no stable) runs it at full size: it serves
 * everybody.</li>
 * <li>Stable runs {@code replicas}; with dynamicStableScale, {@code min(replicas, replicas + surge - canary)}, never
 * below {@link #stableNeeds} (its own share of the weight actually routed). While promoting it takes the new
 * version: at {@code replicas} without dynamicStableScale; with it, a few pods at a time, as the routes hand the
 * canary's share over to its ready pods (the engine finishes the promotion only once stable is whole and ready).</li>
 * <li>The routes move only towards a track that is ready for its new share ({@link #step}): a larger public weight
 * waits for the canary's ready replicas (under matchTrafficWeight it moves part of the way, as far as they carry, so
 * stable can give up pods for the canary's next ones; the canary grows only into what stable gave up), and a smaller
 * one (above all a rollback, an abort or a cancelled rollout,
 * which send everything back) for stable's: {@code replicas} ready before the last of the traffic returns. Until then
 * the routes keep the split they carried, and the operator keeps its weight in {@code status.canaryHeldWeight}.</li>
 * </ul>
 *
 * With neither field set every method answers as the operator did before: both tracks at {@code replicas}, and the
 * routes follow the split at once.
 *
 * @param replicas   {@code spec.server.replicas} with its default
 * @param fixed      {@code spec.server.canary.replicas}, or null
 * @param match      {@code spec.server.canary.matchTrafficWeight}
 * @param surge      {@code spec.server.dynamicStableScale.surge} with its default, or null when it is not set
 */
public record Capacity(int replicas, Integer fixed, boolean match, Integer surge) {

    /** Replicas of each track. */
    public record Sizes(int stable, int canary) {}

    /**
     * What to do in one pass: the split the routes carry now ({@code routed}; the wanted one unless a track is not
     * ready for it), and each track's replicas.
     */
    public record Step(TrafficSplit routed, boolean held, Sizes sizes) {}

    /** The release's capacity settings; {@code replicas} is the plan's (the spec's with its default). */
    public static Capacity of(ServerSpec server, int replicas) {
        if (server != null && server.getAutoscaling() != null) {
            // the autoscalers size the tracks; the canary's floor follows its public share of the whole
            // (AutoscaledFloor), and the routes wait for its ready pods as with matchTrafficWeight
            return new Capacity(replicas, null, true, null);
        }
        CanaryScaleSpec canary = server == null ? null : server.getCanary();
        DynamicStableScaleSpec dynamic = server == null ? null : server.getDynamicStableScale();
        return new Capacity(
                replicas,
                canary == null ? null : canary.getReplicas(),
                canary != null && Boolean.TRUE.equals(canary.getMatchTrafficWeight()),
                dynamic == null
                        ? null
                        : dynamic.getSurge() == null ? DynamicStableScaleSpec.DEFAULT_SURGE : dynamic.getSurge());
    }

    /** The default: both tracks at {@code replicas}, routes follow the split at once. */
    public static Capacity full(int replicas) {
        return new Capacity(replicas, null, false, null);
    }

    /** Whether either field is set (otherwise the operator sizes and routes as before). */
    public boolean managed() {
        return fixed != null || match || surge != null;
    }

    public boolean dynamic() {
        return surge != null;
    }

    /** Replicas of a canary at public weight {@code weight} (percent). */
    public int canaryFor(int weight) {
        if (fixed != null) {
            return Math.min(fixed, replicas);
        }
        if (match) {
            return Math.max(1, share(weight));
        }
        return replicas;
    }

    /**
     * Replicas stable needs for its own share when the canary has {@code weight} percent of public traffic:
     * {@link #carrying} {@code 100 - weight}; {@code replicas} for all of it.
     */
    public int stableNeeds(int weight) {
        return carrying(100 - weight);
    }

    /**
     * Ready replicas that carry {@code percent} of public traffic, to within one percentage point (weights are whole
     * percents: with 8 replicas, 7 carry 87% and 1 carries 13%, where 87.5% and 12.5% are exact): all of them for
     * 100%, none for 0%, at least one otherwise.
     */
    public int carrying(int percent) {
        if (percent >= 100) {
            return replicas;
        }
        if (percent <= 0) {
            return 0;
        }
        return Math.max(1, ((percent - 1) * replicas + 99) / 100);
    }

    /** ceil(percent x replicas / 100), within 0 and replicas. */
    private int share(int percent) {
        int p = Math.max(0, Math.min(100, percent));
        return (p * replicas + 99) / 100;
    }

    /** Each track's replicas for {@code split}; {@code promoting}: the stable Deployment is taking the new version. */
    public Sizes sizes(TrafficSplit split, boolean promoting) {
        boolean hasStable = split.stableVersion() != null;
        if (!split.canaryRunning()) {
            return new Sizes(hasStable ? replicas : 0, 0);
        }
        if (!hasStable) {
            return new Sizes(0, replicas); // a first release: the canary serves everybody
        }
        int canary = canaryFor(split.publicCanaryWeight());
        if (!dynamic() || promoting) {
            return new Sizes(replicas, canary);
        }
        int stable = Math.min(replicas, replicas + surge - canary);
        return new Sizes(Math.max(stable, stableNeeds(split.publicCanaryWeight())), canary);
    }

    /**
     * The pass for {@code wanted}, where the routes carried {@code before}: {@code wanted} once the tracks are ready for
     * it ({@code stableReady}, {@code canaryReady}: ready replicas of the configuration each is to run), otherwise
     * {@code before} (held). Stable keeps what the routed split needs of it, so a held weight never leaves it short.
     */
    public Step step(TrafficSplit wanted, TrafficSplit before, int stableReady, int canaryReady, boolean promoting) {
        return step(wanted, before, stableReady, canaryReady, stableReady, canaryReady, promoting);
    }

    /**
     * As {@link #step(TrafficSplit, TrafficSplit, int, int, boolean)}, where {@code stablePods} and {@code canaryPods}
     * are the pods each track still holds (its Deployment's status, whatever the controller has observed): what a
     * track gave up counts once its pods are gone. Right after the operator lowers a track's replicas, the Deployment
     * controller has not seen the change yet, so no replica of it counts as ready for its identity, but its pods still
     * run and hold their GPUs.
     */
    public Step step(
            TrafficSplit wanted,
            TrafficSplit before,
            int stableReady,
            int canaryReady,
            int stablePods,
            int canaryPods,
            boolean promoting) {
        Sizes want = sizes(wanted, promoting);
        if (!managed() || before == null) {
            return new Step(wanted, false, want);
        }
        boolean handback = promoting && dynamic() && wanted.canaryRunning();
        TrafficSplit routed = handback
                ? handOver(wanted, before, stableReady)
                : readyFor(wanted, before, stableReady, canaryReady) ? wanted : partway(wanted, before, canaryReady);
        int routedWeight = canaryShare(routed);
        int stable = Math.max(want.stable(), stableShare(routed));
        int canary = want.canary();
        if (wanted.canaryRunning() && routed.canaryRunning() && wanted.stableVersion() != null) {
            int needed = carrying(routedWeight);
            // promoting: the canary keeps what its share of the routes needs, one pod at least for the audiences
            canary = handback ? Math.max(1, needed) : Math.max(canary, needed);
            // what a track gave up counts once its pods are gone, not when its replicas are lowered
            if (handback) {
                // promoting: stable takes the new version a few pods at a time, as the canary hands its share over
                stable = Math.max(
                        stableShare(routed),
                        Math.min(replicas, replicas + surge - Math.max(canary, Math.max(canaryReady, canaryPods))));
            } else if (dynamic()) {
                // the canary grows only into what stable gave up: together within replicas + surge
                canary = Math.min(
                        canary,
                        Math.max(needed, replicas + surge - Math.max(stable, Math.max(stableReady, stablePods))));
            }
        }
        return new Step(routed, !routed.equals(wanted), new Sizes(stable, canary));
    }

    /**
     * Promoting under dynamicStableScale, where stable runs the canary's version and configuration: the public weight
     * the routes give the canary goes down from {@code before}'s, as far as stable's ready pods carry the rest, to none
     * (whatever weight the promoting split keeps: moving users between two tracks of one configuration is safe), so
     * the canary can give up pods for stable's next ones. {@code wanted}'s tracks and audiences.
     */
    private TrafficSplit handOver(TrafficSplit wanted, TrafficSplit before, int stableReady) {
        int carried = before.canaryRunning() && wanted.canaryVersion().equals(before.canaryVersion())
                ? before.publicCanaryWeight()
                : wanted.publicCanaryWeight();
        while (carried > 0 && stableNeeds(carried - 1) <= stableReady) {
            carried--;
        }
        return new TrafficSplit(
                wanted.stableVersion(),
                wanted.stableServing(),
                wanted.canaryVersion(),
                wanted.canaryAudiences(),
                carried);
    }

    /**
     * The split to carry while {@code wanted} waits: {@code before}, or, when the canary's weight grows under
     * matchTrafficWeight, {@code before} at the largest weight up to {@code wanted}'s that the canary's ready replicas
     * carry (as Argo Rollouts does with dynamicStableScale: stable can then give up pods for the canary's next ones).
     */
    private TrafficSplit partway(TrafficSplit wanted, TrafficSplit before, int canaryReady) {
        if (!match
                || !wanted.canaryRunning()
                || !before.canaryRunning()
                || !wanted.canaryVersion().equals(before.canaryVersion())) {
            return before;
        }
        int carried = before.publicCanaryWeight();
        while (carried < wanted.publicCanaryWeight() && carrying(carried + 1) <= canaryReady) {
            carried++;
        }
        if (carried <= before.publicCanaryWeight()) {
            return before;
        }
        return new TrafficSplit(
                before.stableVersion(),
                before.stableServing(),
                before.canaryVersion(),
                before.canaryAudiences(),
                carried);
    }

    /** Whether the track that takes more of the traffic going from {@code before} to {@code wanted} is ready for it. */
    private boolean readyFor(TrafficSplit wanted, TrafficSplit before, int stableReady, int canaryReady) {
        if (wanted.stableVersion() == null) {
            return true; // a first release: nothing to go back to
        }
        int canaryBefore = canaryShare(before);
        int canaryAfter = canaryShare(wanted);
        // a canary carries its share, or (a fixed size, which the weight does not follow) is at least at its size
        int canaryNeeds = Math.min(carrying(canaryAfter), canaryFor(canaryAfter));
        if (canaryAfter > canaryBefore && canaryReady < canaryNeeds) {
            return false;
        }
        return canaryAfter >= canaryBefore || stableReady >= stableNeeds(canaryAfter);
    }

    /** The public percent a split sends to the canary (0 when it runs none). */
    private static int canaryShare(TrafficSplit split) {
        return split.canaryRunning() ? split.publicCanaryWeight() : 0;
    }

    /** Stable's replicas for its share of {@code split} (none when there is no stable). */
    private int stableShare(TrafficSplit split) {
        return split.stableVersion() == null ? 0 : stableNeeds(canaryShare(split));
    }

    /**
     * The split the routes carried when the status says they hold {@code heldWeight} on the canary while
     * {@code wanted} waits: {@code wanted}'s stable and audiences (every audience while it runs no canary), and the
     * canary at {@code heldWeight}; {@code canaryVersion} is the version of the canary's pods.
     */
    public static TrafficSplit held(TrafficSplit wanted, String canaryVersion, int heldWeight) {
        Set<String> audiences = wanted.canaryRunning()
                ? wanted.canaryAudiences()
                : Set.of(Stage.INTERNAL.wireName(), Stage.CLOSED.wireName());
        return new TrafficSplit(
                wanted.stableVersion(),
                wanted.stableServing(),
                wanted.canaryRunning() ? wanted.canaryVersion() : canaryVersion,
                audiences,
                heldWeight);
    }
}
