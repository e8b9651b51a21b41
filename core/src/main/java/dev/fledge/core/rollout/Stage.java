package dev.fledge.core.rollout;

import dev.fledge.api.spec.StageName;
import java.util.Arrays;
import java.util.List;

/**
 * Every stage a rollout passes through, in order: the user stages of the API ({@link StageName}: shadow, internal,
 * closed, public) and the two the operator adds, {@code preflight} (before any user sees the canary) and {@code promoting}
 * (the stable Deployment is taking the new version). {@code status.stage} holds the {@link #wireName()}; convert with
 * {@link #fromWire} where status is read.
 */
public enum Stage {
    PREFLIGHT("preflight"),
    SHADOW("shadow"),
    INTERNAL("internal"),
    CLOSED("closed"),
    PUBLIC("public"),
    PROMOTING("promoting");

    /** The stages with an audience of their own, told apart by the router (header, hostname or Service). */
    public static final List<Stage> AUDIENCES = List.of(INTERNAL, CLOSED);

    private final String wireName;

    Stage(String wireName) {
        this.wireName = wireName;
    }

    /** The name in {@code status.stage}, {@code status.history[].stage}, Events and the CLI. */
    public String wireName() {
        return wireName;
    }

    /**
     * The stage named in status, or null for none or for a name this version does not know (a status written by
     * another version of the operator, or by hand). The engine restarts a rollout whose {@code status.stage} is
     * unknown from preflight (event {@code UnknownStage}); until then, no gate is run for it.
     */
    public static Stage fromWire(String name) {
        return Arrays.stream(values())
                .filter(s -> s.wireName.equals(name))
                .findFirst()
                .orElse(null);
    }

    public static Stage of(StageName name) {
        return switch (name) {
            case SHADOW -> SHADOW;
            case INTERNAL -> INTERNAL;
            case CLOSED -> CLOSED;
            case PUBLIC -> PUBLIC;
        };
    }

    /** Whether this stage comes at or after {@code other} in a rollout. */
    public boolean atOrAfter(Stage other) {
        return compareTo(other) >= 0;
    }

    /**
     * Whether users' requests reach the canary in this stage while its gates watch them: shadow (mirrored copies, whose
     * answers go to no one), internal, closed and public (not preflight, which has no users, nor promoting, which runs
     * no gate). {@code status.stage} may name no stage (null).
     */
    public static boolean gatedWithUsers(Stage stage) {
        return stage != null && stage != PREFLIGHT && stage != PROMOTING;
    }

    /** The wire name, so that messages read as they always did. */
    @Override
    public String toString() {
        return wireName;
    }
}
