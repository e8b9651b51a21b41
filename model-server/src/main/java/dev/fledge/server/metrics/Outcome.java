package dev.fledge.server.metrics;

import java.util.Locale;

/** The {@code outcome} label of {@code fledge_model_requests_total}. Only ERROR is the server's fault. */
public enum Outcome {
    /** Answered. */
    SUCCESS,
    /** Answered with the refusal because the guard flagged the output (blocking mode). */
    BLOCKED,
    /** Refused: the request was invalid (4xx other than 429). */
    INVALID,
    /** Refused: too many concurrent requests (429). */
    REJECTED,
    /** Failed on the server side (5xx, including injected faults). */
    ERROR;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
