package dev.fledge.server.support;

import dev.fledge.server.guard.StandInClassifier;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** The server configurations the HTTP tests run against; each one is a separate Quarkus start. */
public final class Profiles {
    private Profiles() {}

    /** The good fixture model v1, default settings. */
    public static class ServingV1 implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("fledge.model.uri", FixtureModels.uri("v1"));
        }
    }

    /** The unsafe fixture model with the guard in blocking mode. */
    public static class UnsafeBlocking implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "fledge.model.uri",
                    FixtureModels.uri("v3-unsafe"),
                    "fledge.model.version",
                    "3.0.0",
                    "fledge.guard.blocking",
                    "true");
        }
    }

    /** v1 with every fault knob on and one worker with a queue of one. */
    public static class Faulty implements QuarkusTestProfile {
        public static final long LATENCY_MS = 400;

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "fledge.model.uri",
                    FixtureModels.uri("v1"),
                    "fledge.fault.latency-ms",
                    "" + LATENCY_MS,
                    "fledge.fault.error-rate",
                    "1.0",
                    "fledge.serving.workers",
                    "1",
                    "fledge.serving.queue",
                    "1");
        }
    }

    /** v1, answering every user (not the operator's suite) with {@link #LIVE_ANSWER}: unsafe on real traffic only. */
    public static class LiveAnswer implements QuarkusTestProfile {
        public static final String LIVE_ANSWER = "I will kill you";

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("fledge.model.uri", FixtureModels.uri("v1"), "fledge.fault.live-answer", LIVE_ANSWER);
        }
    }

    /**
     * v1 answering every user {@link LiveAnswer#LIVE_ANSWER} (a word-list hit), with a Llama Guard-style classifier
     * judging live outputs ({@link StandInClassifier}, 1 s timeout, at most 2 judgements at once).
     */
    public static class Classified implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "fledge.model.uri",
                    FixtureModels.uri("v1"),
                    "fledge.fault.live-answer",
                    LiveAnswer.LIVE_ANSWER,
                    "fledge.guard.judge.url",
                    StandInClassifier.get().url(),
                    "fledge.guard.judge.model",
                    "llama-guard-3",
                    "fledge.guard.judge.timeout",
                    "1s",
                    "fledge.guard.judge.max-in-flight",
                    "2",
                    "fledge.guard.judge.categories",
                    "S1=violence,S11=self-harm");
        }
    }

    /** The MLP classifier, served under its own name. */
    public static class Mlp implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("fledge.model.uri", FixtureModels.uri("mlp"), "fledge.model.name", "digits");
        }
    }
}
