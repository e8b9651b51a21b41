package dev.fledge.server.model;

import java.util.Map;

/**
 * DJL settings this server needs everywhere (pods, tests, the e2e harness), applied before the engine starts
 * unless the same system property is already set: offline (weights are local; no model zoo), no usage
 * tracking call, and one PyTorch thread per request (see {@link InferenceThreads}).
 */
public final class DjlDefaults {
    private static final Map<String, String> DEFAULTS = Map.of(
            "ai.djl.offline", "true",
            "OPT_OUT_TRACKING", "true",
            "ai.djl.pytorch.num_threads", "1",
            "ai.djl.pytorch.num_interop_threads", "1");

    public void apply() {
        DEFAULTS.forEach((key, value) -> {
            if (System.getProperty(key) == null && System.getenv(key) == null) {
                System.setProperty(key, value);
            }
        });
    }
}
