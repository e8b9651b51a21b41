package dev.fledge.e2e.cluster;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Simulated users of the cluster tier: a few workers that call one URL (a Service's ClusterIP or
 * the Gateway) and never choose a backend, each at a fixed rate. Every response is counted by
 * status and by {@code X-Fledge-Model-Version}; a request that gets no response (refused, reset,
 * timed out) counts as status 0. Bounded: each request has a timeout and {@link #close()} stops
 * the workers.
 */
final class ServiceUsers implements AutoCloseable {

  private static final String[] PROMPTS = {
    "tell me about the weather", "how do I bake bread", "what is a canary release", "write a short poem"
  };

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1).build();
  private final URI uri;
  private final List<Thread> workers = new ArrayList<>();
  private final Map<Integer, LongAdder> byStatus = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> byVersion = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  private final AtomicLong sent = new AtomicLong();
  private volatile boolean running = true;

  ServiceUsers(String baseUrl, int workers, int requestsPerSecondEach) {
    this.uri = URI.create(baseUrl + "/v1/completions");
    long periodMillis = 1000L / requestsPerSecondEach;
    for (int i = 0; i < workers; i++) {
      int worker = i;
      Thread t = new Thread(() -> run(worker, periodMillis), "service-user-" + i);
      t.setDaemon(true);
      this.workers.add(t);
      t.start();
    }
  }

  private void run(int worker, long periodMillis) {
    int n = 0;
    while (running) {
      long start = System.nanoTime();
      String body =
          "{\"prompt\":\"" + PROMPTS[(worker + n) % PROMPTS.length] + "\",\"max_tokens\":8,\"seed\":" + n + "}";
      n++;
      sent.incrementAndGet();
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(uri)
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        byStatus.computeIfAbsent(r.statusCode(), k -> new LongAdder()).increment();
        r.headers()
            .firstValue("X-Fledge-Model-Version")
            .ifPresent(v -> byVersion.computeIfAbsent(v, k -> new LongAdder()).increment());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        byStatus.computeIfAbsent(0, k -> new LongAdder()).increment();
        errors.computeIfAbsent(e.getClass().getSimpleName(), k -> new LongAdder()).increment();
      }
      long left = periodMillis - (System.nanoTime() - start) / 1_000_000;
      if (left > 0) {
        try {
          Thread.sleep(left);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  void awaitFirstResponses(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (byStatus.getOrDefault(200, new LongAdder()).sum() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    if (byStatus.getOrDefault(200, new LongAdder()).sum() == 0) {
      throw new AssertionError("no 200 from " + uri + " within " + timeout + ": " + summary());
    }
  }

  void stop() throws InterruptedException {
    running = false;
    for (Thread t : workers) {
      t.join(15_000);
    }
  }

  long failed() {
    return byStatus.entrySet().stream().filter(e -> e.getKey() != 200).mapToLong(e -> e.getValue().sum()).sum();
  }

  Map<String, Long> byVersion() {
    Map<String, Long> m = new TreeMap<>();
    byVersion.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }

  String summary() {
    Map<Integer, Long> s = new TreeMap<>();
    byStatus.forEach((k, v) -> s.put(k, v.sum()));
    Map<String, Long> e = new TreeMap<>();
    errors.forEach((k, v) -> e.put(k, v.sum()));
    return "sent=" + sent.get() + " byStatus=" + s + " byVersion=" + byVersion() + (e.isEmpty() ? "" : " errors=" + e);
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
