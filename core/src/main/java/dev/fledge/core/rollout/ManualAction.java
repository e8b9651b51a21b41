package dev.fledge.core.rollout;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import java.util.Arrays;
import java.util.Optional;

/** Actions asked for through the {@code fledge.dev/action} annotation; the operator consumes and removes it. */
public enum ManualAction {
    PROMOTE("promote"),
    ABORT("abort"),
    RETRY("retry"),
    SKIP_STAGE("skip-stage");

    /** Between an action and its optional nonce in the annotation value. */
    public static final char NONCE_SEPARATOR = ':';

    private final String value;

    ManualAction(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    /** The raw value of the {@code fledge.dev/action} annotation on {@code mr}, if it has one. */
    public static Optional<String> requestedOn(ModelRelease mr) {
        var annotations = mr.getMetadata().getAnnotations();
        return annotations == null ? Optional.empty() : Optional.ofNullable(annotations.get(Labels.ACTION));
    }

    /**
     * The action an annotation value names: the action itself ({@code abort}), or the action with a nonce after a colon
     * ({@code abort:2}, {@code abort:20261130T1502}). The nonce tells one request from the next: the same action given
     * again with a new nonce is a new request, even before the operator has seen the first one removed.
     */
    public static Optional<ManualAction> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String name = value.trim();
        int colon = name.indexOf(NONCE_SEPARATOR);
        String action = colon < 0 ? name : name.substring(0, colon);
        return Arrays.stream(values()).filter(a -> a.value.equals(action)).findFirst();
    }

    /** The annotation value of this action with a nonce, {@code abort:NONCE}: a request of its own. */
    public String withNonce(String nonce) {
        return value + NONCE_SEPARATOR + nonce;
    }
}
