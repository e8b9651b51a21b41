package dev.fledge.operator.routing;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The operator's memory of its HTTPRoutes' acceptance (in memory, bounded as the applier's; a restarted operator reads
 * the routes again): the generation each route was last seen accepted at, so that a pass that writes nothing needs no
 * GET for it, and since when a route has been waiting, so that a wait is a Warning only once it lasts
 * {@link #WARN_AFTER} (a Gateway takes a moment to program a route), once per wait.
 */
public final class AcceptanceWatch {
    public static final Duration WARN_AFTER = Duration.ofSeconds(30);
    private static final int REMEMBERED = 20_000;

    private final Clock clock;
    private final Map<String, Long> accepted = bounded();
    private final Map<String, Waiting> waiting = bounded();

    private record Waiting(Instant since, boolean warned) {}

    AcceptanceWatch(Clock clock) {
        this.clock = clock;
    }

    /** Whether the route was seen accepted at the generation this operator last wrote (no write since). */
    synchronized boolean knownAccepted(String key) {
        return accepted.containsKey(key);
    }

    /** Records what {@code route} (as the API server returned it) says, and returns the wait, if it is one. */
    synchronized Optional<Unaccepted> seen(String key, HTTPRoute route) {
        Optional<Unaccepted> problem = RouteAcceptance.problem(route);
        if (problem.isEmpty()) {
            accepted.put(key, route.getMetadata().getGeneration());
            waiting.remove(key);
            return problem;
        }
        return Optional.of(waits(key, problem.get()));
    }

    /** The route waits (also: its status could not be read), from the first pass that saw it waiting on. */
    synchronized Unaccepted waits(String key, Unaccepted why) {
        accepted.remove(key);
        Instant now = clock.instant();
        Waiting w = waiting.computeIfAbsent(key, k -> new Waiting(now, false));
        Duration waited = Duration.between(w.since(), now);
        boolean warn = !w.warned() && waited.compareTo(WARN_AFTER) >= 0;
        if (warn) {
            waiting.put(key, new Waiting(w.since(), true));
        }
        return why.after(waited, warn);
    }

    private static <V> Map<String, V> bounded() {
        return new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > REMEMBERED;
            }
        };
    }
}
