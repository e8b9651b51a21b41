package dev.fledge.operator.notify;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.IntUnaryOperator;

/**
 * A real HTTP server on loopback that records every POST (body and arrival time) and answers with the status the
 * test chooses for the n-th request (1-based). The answer function may block to play a slow webhook.
 */
public final class WebhookReceiver implements AutoCloseable {
    static {
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** One received request: its body, arrival time, path and headers (names in lower case). */
    public record Received(String body, long nanos, String path, Map<String, String> headers) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile IntUnaryOperator answer = n -> 200;

    public WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            Map<String, String> headers = new HashMap<>();
            exchange.getRequestHeaders()
                    .forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
            try (InputStream in = exchange.getRequestBody()) {
                received.add(new Received(
                        new String(in.readAllBytes(), StandardCharsets.UTF_8),
                        System.nanoTime(),
                        exchange.getRequestURI().getPath(),
                        Map.copyOf(headers)));
            }
            int status = answer.applyAsInt(received.size());
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
    }

    public WebhookReceiver answering(IntUnaryOperator statusOfRequest) {
        this.answer = statusOfRequest;
        return this;
    }

    public String url() {
        return origin() + "/hook";
    }

    /** {@code http://127.0.0.1:<port>}, without a path. */
    public String origin() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    public List<String> bodies() {
        return received.stream().map(Received::body).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
