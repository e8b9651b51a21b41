package dev.fledge.operator.routing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gateways a spec check found lately, so that the releases of a GitOps sync that name the same Gateway do not each read
 * it (bench-operator: one GET of the shared Gateway per rollout, a thousand in a sync of a thousand releases). Only
 * what was found is kept, for {@code keepFor}: an object not found, or not readable, is read again at the next check, so
 * a Gateway made after the release is found at once. One deleted within {@code keepFor} of a check still passes the
 * next check in that time; its routes then wait for a Gateway that never accepts them, which RouteNotAccepted says.
 */
final class RecentlyFound {
    /** At most this many kept; beyond it what has expired is dropped, and if nothing has, everything. */
    static final int MAX = 1000;

    private final Clock clock;
    private final Duration keepFor;
    private final Map<String, Instant> until = new ConcurrentHashMap<>();

    RecentlyFound(Clock clock, Duration keepFor) {
        this.clock = clock;
        this.keepFor = keepFor;
    }

    /** Whether {@code key} was found less than {@code keepFor} ago. */
    boolean recently(String key) {
        Instant end = until.get(key);
        if (end == null) {
            return false;
        }
        Instant now = clock.instant();
        if (now.isBefore(end) && !end.isAfter(now.plus(keepFor))) {
            return true; // (a clock stepped back does not make an entry last longer)
        }
        until.remove(key, end);
        return false;
    }

    /** {@code key} was found now. */
    void found(String key) {
        Instant now = clock.instant();
        if (until.size() >= MAX) {
            until.values().removeIf(end -> !now.isBefore(end));
            if (until.size() >= MAX) {
                until.clear();
            }
        }
        until.put(key, now.plus(keepFor));
    }
}
