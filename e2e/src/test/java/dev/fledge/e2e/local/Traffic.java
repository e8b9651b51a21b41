package dev.fledge.e2e.local;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * What users saw: every response's audience, X-Fledge-Model-Version and status, and the feedback they sent; and,
 * apart, the mirrored copies of their requests, whose answers they never saw.
 */
public final class Traffic {
    public record Response(Instant at, String audience, String version, int status) {}

    record Feedback(Instant at, String audience, String version, String rating, int status) {}

    /** A copy of a user's request the Gateway mirrored: its answer reached no one (not a {@link Response}). */
    record Mirrored(Instant at, String audience, String version, int status) {}

    private final ConcurrentLinkedQueue<Response> responses = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Feedback> feedback = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Mirrored> mirrored = new ConcurrentLinkedQueue<>();

    public void record(Response r) {
        responses.add(r);
    }

    void record(Feedback f) {
        feedback.add(f);
    }

    void record(Mirrored m) {
        mirrored.add(m);
    }

    /** Mirrored copies of an audience's requests answered by {@code version} (answers that reached no one). */
    long mirroredTo(String audience, String version) {
        return mirrored.stream()
                .filter(m -> m.audience().equals(audience) && Objects.equals(m.version(), version))
                .count();
    }

    List<Response> responses(Predicate<Response> filter) {
        return responses.stream().filter(filter).toList();
    }

    List<Feedback> feedback() {
        return List.copyOf(feedback);
    }

    /** Successful responses of an audience in [from, to), counted per version. */
    Map<String, Long> versions(String audience, Instant from, Instant to) {
        return responses.stream()
                .filter(r -> r.audience().equals(audience)
                        && r.status() == 200
                        && !r.at().isBefore(from)
                        && r.at().isBefore(to)
                        && r.version() != null)
                .collect(Collectors.groupingBy(Response::version, Collectors.counting()));
    }

    /**
     * Responses in [from, to) that were not a 200, of every audience: an error status, 503 when no pod was ready
     * behind the route, 599 when the connection failed or timed out.
     */
    List<Response> failures(Instant from, Instant to) {
        return responses.stream()
                .filter(r -> r.status() != 200 && !r.at().isBefore(from) && r.at().isBefore(to))
                .toList();
    }

    public long count(String audience, String version) {
        return responses.stream()
                .filter(r -> r.audience().equals(audience) && Objects.equals(r.version(), version))
                .count();
    }

    Instant lastAt() {
        return responses.stream().map(Response::at).max(Instant::compareTo).orElse(Instant.EPOCH);
    }
}
