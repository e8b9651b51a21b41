package dev.fledge.server.api;

import dev.fledge.server.metrics.Audience;
import dev.fledge.server.metrics.Outcome;
import dev.fledge.server.metrics.ServerMetrics;
import dev.fledge.server.serving.OverloadedException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Supplier;

/**
 * Runs one inference request and counts it once in {@code fledge_model_requests_total} and the duration histogram,
 * whatever happens: the work's own outcome when it returns, {@code invalid} or {@code error} for an
 * {@link ApiException} (by status), {@code rejected} for an {@link OverloadedException}, {@code error} otherwise.
 */
@ApplicationScoped
public class MeteredRequests {
    private final ServerMetrics metrics;

    public MeteredRequests(ServerMetrics metrics) {
        this.metrics = metrics;
    }

    public <T> T run(Audience audience, Supplier<Result<T>> work) {
        long start = System.nanoTime();
        Outcome outcome = Outcome.ERROR;
        try {
            Result<T> result = work.get();
            outcome = result.outcome();
            return result.value();
        } catch (ApiException e) {
            outcome = e.status() < 500 ? Outcome.INVALID : Outcome.ERROR;
            throw e;
        } catch (OverloadedException e) {
            outcome = Outcome.REJECTED;
            throw e;
        } finally {
            metrics.request(audience, outcome, (System.nanoTime() - start) / 1e9);
        }
    }

    /** What a request answered and how it is counted. */
    public record Result<T>(T value, Outcome outcome) {
        public static <T> Result<T> success(T value) {
            return new Result<>(value, Outcome.SUCCESS);
        }
    }
}
