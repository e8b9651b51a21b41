package dev.fledge.core.rollout;

import java.util.Arrays;
import java.util.Optional;

/** Actions asked for through the {@code fledge.dev/action} annotation; the operator consumes and removes it. */
public enum ManualAction {
    PROMOTE("promote"), ABORT("abort"), RETRY("retry"), SKIP_STAGE("skip-stage");

    private final String value;

    ManualAction(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    public static Optional<ManualAction> parse(String value) {
        return Arrays.stream(values()).filter(a -> a.value.equals(value == null ? null : value.trim())).findFirst();
    }
}
