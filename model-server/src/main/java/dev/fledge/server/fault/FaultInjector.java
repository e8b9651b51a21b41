package dev.fledge.server.fault;

import dev.fledge.server.config.FledgeConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Test aid: {@code fledge.fault.latency-ms} delays every inference request, {@code fledge.fault.error-rate}
 * makes that fraction of them fail. Both are off by default. The sleep here is the only one in production code.
 */
@ApplicationScoped
public class FaultInjector {
    private final long latencyMs;
    private final double errorRate;

    public FaultInjector(FledgeConfig config) {
        this.latencyMs = config.fault().latencyMs();
        this.errorRate = config.fault().errorRate();
    }

    /** Applies the configured faults to one request. */
    public void apply() {
        if (latencyMs > 0) {
            try {
                Thread.sleep(latencyMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (errorRate > 0 && ThreadLocalRandom.current().nextDouble() < errorRate) {
            throw new InjectedFaultException();
        }
    }

    /** A failure made on purpose by {@code fledge.fault.error-rate}. */
    public static class InjectedFaultException extends RuntimeException {
        public InjectedFaultException() {
            super("injected fault (fledge.fault.error-rate)");
        }
    }
}
