package dev.fledge.e2e.gates;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** Steady completion requests of the closed audience to some model servers, one thread each, until closed. */
final class CompletionTraffic implements AutoCloseable {
    private static final String[] PROMPTS = {
        "the garden", "in the morning", "roses and", "the old gardener", "water the"
    };
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    final AtomicLong sent = new AtomicLong();

    CompletionTraffic(List<String> baseUrls, long pauseMillis) {
        for (String url : baseUrls) {
            Thread t = new Thread(() -> loop(url, pauseMillis), "traffic-" + url);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
    }

    private void loop(String url, long pauseMillis) {
        int i = 0;
        while (running.get()) {
            String body = "{\"prompt\":\"" + PROMPTS[i++ % PROMPTS.length]
                    + "\",\"max_tokens\":4,\"temperature\":0.8,\"seed\":" + i + "}";
            try {
                http.send(
                        HttpRequest.newBuilder(URI.create(url + "/v1/completions"))
                                .timeout(Duration.ofSeconds(10))
                                .header("Content-Type", "application/json")
                                .header("X-Fledge-Audience", "closed")
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                sent.incrementAndGet();
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // a server being stopped; keep going until closed
            }
        }
    }

    @Override
    public void close() {
        running.set(false);
        threads.forEach(Thread::interrupt);
    }
}
