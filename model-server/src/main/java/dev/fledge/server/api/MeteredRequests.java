package dev.fledge.server.api;

import dev.fledge.server.metrics.Audience;
import dev.fledge.server.metrics.Outcome;
import dev.fledge.server.metrics.ServerMetrics;
import dev.fledge.server.serving.OverloadedException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Runs one inference request and counts it once in {@code fledge_model_requests_total} and the duration histogram,
 * whatever happens: the work's own outcome when it returns, {@code model_limit}, {@code invalid} or {@code error}
 * for an {@link ApiException} (by kind and status), {@code rejected} for an {@link OverloadedException}, {@code error} otherwise.
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
        } catch (RuntimeException e) {
            outcome = outcomeOf(e);
            throw e;
        } finally {
            metrics.request(audience, outcome, (System.nanoTime() - start) / 1e9);
        }
    }

    /**
     * The same for work that completes later (on an inference thread): counted once when it completes or fails,
     * whether it fails at once or later. The returned stage fails with the work's own exception, unwrapped, so
     * the exception mappers see an {@link ApiException} or {@link OverloadedException}, not a wrapper.
     */
    public <T> CompletionStage<T> runAsync(Audience audience, Supplier<CompletionStage<Result<T>>> work) {
        long start = System.nanoTime();
        CompletionStage<Result<T>> started;
        try {
            started = work.get();
        } catch (RuntimeException e) {
            metrics.request(audience, outcomeOf(e), (System.nanoTime() - start) / 1e9);
            throw e;
        }
        CompletableFuture<T> done = new CompletableFuture<>();
        started.whenComplete((result, failure) -> {
            Throwable cause =
                    failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            metrics.request(
                    audience, cause == null ? result.outcome() : outcomeOf(cause), (System.nanoTime() - start) / 1e9);
            if (cause == null) {
                done.complete(result.value());
            } else {
                done.completeExceptionally(cause);
            }
        });
        return done;
    }

    private static Outcome outcomeOf(Throwable failure) {
        if (failure instanceof ApiException e) {
            if (e.modelLimit()) {
                return Outcome.MODEL_LIMIT;
            }
            return e.status() == 429 ? Outcome.REJECTED : e.status() < 500 ? Outcome.INVALID : Outcome.ERROR;
        }
        return failure instanceof OverloadedException ? Outcome.REJECTED : Outcome.ERROR;
    }

    /** What a request answered and how it is counted. */
    public record Result<T>(T value, Outcome outcome) {
        public static <T> Result<T> success(T value) {
            return new Result<>(value, Outcome.SUCCESS);
        }
    }
}
