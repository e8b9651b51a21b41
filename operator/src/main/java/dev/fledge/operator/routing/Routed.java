package dev.fledge.operator.routing;

import java.util.List;
import java.util.Optional;

/**
 * What a route write left: {@code drift} (what the API server stored differs from the split, or a stale route could
 * not be removed) and {@code pending}, routes stored as wanted that a Gateway has not accepted yet. Both mean the routes
 * may not have left a canary; only drift is a fault at once.
 */
public record Routed(Optional<String> drift, List<Unaccepted> pending) {
    public static Routed of(Optional<String> drift) {
        return new Routed(drift, List.of());
    }

    /** The routes are as wanted and every Gateway took them. */
    public boolean settled() {
        return drift.isEmpty() && pending.isEmpty();
    }
}
