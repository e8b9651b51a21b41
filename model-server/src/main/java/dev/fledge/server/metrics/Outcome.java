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

    /**
     * Whether the model handled the request (success, blocked, error): only these enter the duration histogram and
     * the built-in error rate's denominator. Invalid and rejected requests are refused before the model runs, and
     * anyone can send them.
     */
    public boolean served() {
        return this == SUCCESS || this == BLOCKED || this == ERROR;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
