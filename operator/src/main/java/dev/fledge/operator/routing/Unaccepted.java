package dev.fledge.operator.routing;

import java.time.Duration;

/**
 * An HTTPRoute the API server stored but a parent Gateway has not accepted at its current generation: {@code parent}
 * is {@code namespace/name[#section]}, {@code rejected} says it answered {@code Accepted=False} (or, for a route to
 * InferencePools or TraefikServices, {@code ResolvedRefs=False}) (the reason is in
 * {@code detail}), otherwise it has not answered yet. {@code waited} is how long the route has been waiting, and
 * {@code warn} is set once per wait, when it passed {@link AcceptanceWatch#WARN_AFTER}.
 */
public record Unaccepted(String route, String parent, boolean rejected, String detail, Duration waited, boolean warn) {
    Unaccepted(String route, String parent, boolean rejected, String detail) {
        this(route, parent, rejected, detail, Duration.ZERO, false);
    }

    Unaccepted after(Duration waited, boolean warn) {
        return new Unaccepted(route, parent, rejected, detail, waited, warn);
    }

    /** For the status: what the release waits for, without the time (so the status does not change every pass). */
    public String message() {
        return (rejected ? "the Gateway refuses HTTPRoute " : "waiting for the Gateway to accept HTTPRoute ") + route
                + ": parent " + parent + " " + detail;
    }
}
