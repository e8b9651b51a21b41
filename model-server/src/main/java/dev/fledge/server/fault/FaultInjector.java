package dev.fledge.server.fault;

import dev.fledge.server.config.FledgeConfig;
import dev.fledge.server.metrics.Audience;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Test aid: {@code fledge.fault.latency-ms} delays every inference request, {@code fledge.fault.error-rate}
 * makes that fraction of them fail, {@code fledge.fault.live-answer} replaces every answer to users (not to the
 * operator's suite). All are off by default. The sleep here is the only one in production code.
 */
@ApplicationScoped
public class FaultInjector {
    private final long latencyMs;
    private final double errorRate;
    private final Optional<String> liveAnswer;

    public FaultInjector(FledgeConfig config) {
        this.latencyMs = config.fault().latencyMs();
        this.errorRate = config.fault().errorRate();
        this.liveAnswer = config.fault().liveAnswer().filter(s -> !s.isBlank());
    }

    /**
     * The answer to give a request of {@code audience}: {@code fledge.fault.live-answer} for any audience but the
     * operator's suite ({@code evaluation}) when it is set, else the model's {@code text}.
     */
    public String answer(Audience audience, String text) {
        return liveAnswer.isPresent() && audience != Audience.EVALUATION ? liveAnswer.get() : text;
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
