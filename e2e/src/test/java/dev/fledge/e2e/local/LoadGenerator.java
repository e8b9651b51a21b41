package dev.fledge.e2e.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test harness: internal, closed and public users sending completions at a target rate each (one worker per 10
 * requests per second; slower responses lower the rate), along the route the
 * operator wrote ({@link RouteFollower}); one in {@code feedbackEvery} responses gets a rating. Bounded: it stops
 * when closed, and every request has a timeout.
 */
final class LoadGenerator implements AutoCloseable {
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");
    private static final String[] PROMPTS = {
        "tell me about the weather",
        "how do I bake bread",
        "what is a canary release",
        "write a short poem",
        "explain gradient descent",
        "where is the station"
    };

    private final RouteFollower router;
    private final Traffic traffic;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    LoadGenerator(RouteFollower router, Traffic traffic, Map<String, Integer> requestsPerSecond, int feedbackEvery) {
        this.router = router;
        this.traffic = traffic;
        requestsPerSecond.forEach((audience, rps) -> {
            int workers = Math.max(1, rps / 10);
            for (int i = 0; i < workers; i++) {
                int worker = i;
                Thread t = new Thread(
                        () -> run(audience, worker, Math.max(1, rps / workers), feedbackEvery),
                        "load-" + audience + "-" + i);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        });
    }

    private void run(String audience, int worker, int rps, int feedbackEvery) {
        Random random = new Random(audience.hashCode() * 31L + worker);
        long periodNanos = 1_000_000_000L / rps;
        long next = System.nanoTime();
        int n = 0;
        while (running) {
            next += periodNanos;
            try {
                RouteFollower.Picked picked = router.route(audience, random);
                int seq = n;
                picked.mirror().ifPresent(m -> mirror(m, audience, seq));
                Optional<LocalKubelet.Pod> pod = picked.pod();
                if (pod.isEmpty()) {
                    traffic.record(new Traffic.Response(Instant.now(), audience, null, 503));
                } else {
                    send(pod.get(), audience, n++, feedbackEvery, random);
                }
            } catch (RuntimeException e) {
                traffic.record(new Traffic.Response(Instant.now(), audience, null, 599));
            }
            long wait = next - System.nanoTime();
            if (wait > 0) {
                ManagedProcess.pause(wait / 1_000_000);
            } else {
                next = System.nanoTime();
            }
        }
    }

    /**
     * The Gateway's mirrored copy of request {@code n}: sent as the original is (the rule's audience header), its
     * answer discarded, as a Gateway does: no user gets it, so it is recorded apart ({@link Traffic.Mirrored}).
     */
    private void mirror(LocalKubelet.Pod pod, String audience, int n) {
        http.sendAsync(
                        HttpRequest.newBuilder(URI.create(pod.url() + "/v1/completions"))
                                .timeout(Duration.ofSeconds(10))
                                .header("Content-Type", "application/json")
                                .header("X-Fledge-Audience", audience)
                                .POST(HttpRequest.BodyPublishers.ofString(body(n)))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .whenComplete((r, e) -> traffic.record(new Traffic.Mirrored(
                        Instant.now(),
                        audience,
                        r == null
                                ? null
                                : r.headers()
                                        .firstValue("X-Fledge-Model-Version")
                                        .orElse(null),
                        r == null ? 599 : r.statusCode())));
    }

    private static String body(int n) {
        return "{\"prompt\":\"" + PROMPTS[n % PROMPTS.length] + "\",\"max_tokens\":8,\"seed\":" + n + "}";
    }

    private void send(LocalKubelet.Pod pod, String audience, int n, int feedbackEvery, Random random) {
        String body = body(n);
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(pod.url() + "/v1/completions"))
                            .timeout(Duration.ofSeconds(10))
                            .header("Content-Type", "application/json")
                            .header("X-Fledge-Audience", audience)
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            String version = r.headers().firstValue("X-Fledge-Model-Version").orElse(null);
            traffic.record(new Traffic.Response(Instant.now(), audience, version, r.statusCode()));
            Matcher id = ID.matcher(r.body());
            if (r.statusCode() == 200 && feedbackEvery > 0 && n % feedbackEvery == 0 && id.find()) {
                String rating = random.nextInt(10) == 0 ? "negative" : "positive";
                HttpResponse<Void> f = http.send(
                        HttpRequest.newBuilder(URI.create(pod.url() + "/v1/feedback"))
                                .timeout(Duration.ofSeconds(5))
                                .header("Content-Type", "application/json")
                                .header("X-Fledge-Audience", audience)
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"id\":\"" + id.group(1) + "\",\"rating\":\"" + rating + "\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                traffic.record(new Traffic.Feedback(Instant.now(), audience, version, rating, f.statusCode()));
            }
        } catch (IOException e) {
            traffic.record(new Traffic.Response(Instant.now(), audience, null, 599));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        for (Thread t : threads) {
            try {
                t.join(15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
