package dev.fledge.e2e.local;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** What users saw: every response's audience, X-Fledge-Model-Version and status, and the feedback they sent. */
final class Traffic {
    record Response(Instant at, String audience, String version, int status) {}

    record Feedback(Instant at, String audience, String version, String rating, int status) {}

    private final ConcurrentLinkedQueue<Response> responses = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Feedback> feedback = new ConcurrentLinkedQueue<>();

    void record(Response r) {
        responses.add(r);
    }

    void record(Feedback f) {
        feedback.add(f);
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

    long count(String audience, String version) {
        return responses.stream()
                .filter(r -> r.audience().equals(audience) && Objects.equals(r.version(), version))
                .count();
    }

    Instant lastAt() {
        return responses.stream().map(Response::at).max(Instant::compareTo).orElse(Instant.EPOCH);
    }
}
