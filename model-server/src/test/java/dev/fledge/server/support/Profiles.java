package dev.fledge.server.support;

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

    /** The MLP classifier, served under its own name. */
    public static class Mlp implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("fledge.model.uri", FixtureModels.uri("mlp"), "fledge.model.name", "digits");
        }
    }
}
