package dev.fledge.operator.gates.safety;

import dev.fledge.api.spec.MirrorSource;
import dev.fledge.api.spec.SafetySpec;
import dev.fledge.core.rollout.Stage;
import java.util.List;

/**
 * What the online part of the safety gate needs, with the documented defaults.
 *
 * @param minSamples             live outputs the current stage needs before the gate may pass; fewer (no data
 *                               included) is Inconclusive
 * @param minPublicCriticalFlags live flags in a critical category that roll back at once in the public stage, where
 *                               anyone can provoke one (in the internal and closed stages one is enough)
 */
record LivePolicy(long minSamples, long minPublicCriticalFlags) {
    static final int DEFAULT_MIN_SAMPLES = 100;
    static final int DEFAULT_MIN_PUBLIC_CRITICAL_FLAGS = 3;

    static LivePolicy of(SafetySpec s) {
        return new LivePolicy(
                s.getMinLiveSamples() == null ? DEFAULT_MIN_SAMPLES : Math.max(1, s.getMinLiveSamples()),
                s.getMinPublicCriticalFlags() == null
                        ? DEFAULT_MIN_PUBLIC_CRITICAL_FLAGS
                        : Math.max(1, s.getMinPublicCriticalFlags()));
    }

    /**
     * The live flags of one critical category that roll back in {@code stage}: the public minimum where anyone can
     * provoke one (the public stage, and the shadow stage when it mirrors public requests), else one.
     */
    long criticalFlagsIn(Stage stage, List<String> mirrored) {
        boolean anyone =
                stage == Stage.PUBLIC || (stage == Stage.SHADOW && mirrored.contains(MirrorSource.PUBLIC.wireName()));
        return anyone ? minPublicCriticalFlags : 1;
    }
}
