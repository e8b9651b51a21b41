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

    public static Optional<ManualAction> parse(String value) {
        return Arrays.stream(values())
                .filter(a -> a.value.equals(value == null ? null : value.trim()))
                .findFirst();
    }
}
