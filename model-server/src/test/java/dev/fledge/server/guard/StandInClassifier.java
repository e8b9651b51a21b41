package dev.fledge.server.guard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A Llama Guard-style chat model on loopback ({@code POST /v1/chat/completions}), answering in Llama Guard's format.
 * What it answers is chosen by a marker in the <b>first user turn</b> of the conversation it is asked about, so that a
 * test picks the judge's behaviour through the prompt it sends the model server: {@code [unsafe]} gives
 * {@code unsafe\nS11}, {@code [slow]} answers after 3 s, {@code [garbage]} answers {@code maybe}, {@code [500]} answers
 * HTTP 500, {@code [drop]} closes the connection without an answer (as a server closing an idle kept-alive connection
 * just as a request arrives), {@code [drop-once]} does so the first time it is asked about that conversation; anything
 * else {@code safe}. It keeps every conversation it was asked about.
 */
public final class StandInClassifier {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static StandInClassifier running;

    private final HttpServer server;
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private final Set<String> dropped = ConcurrentHashMap.newKeySet();

    private StandInClassifier() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/chat/completions", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.start();
    }

    /** The one stand-in of this JVM, started on first use (a Quarkus test profile needs its URL before the server). */
    public static synchronized StandInClassifier get() {
        if (running == null) {
            try {
                running = new StandInClassifier();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return running;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/chat/completions";
    }

    /** The request bodies received so far. */
    public List<JsonNode> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        JsonNode request = MAPPER.readTree(exchange.getRequestBody().readAllBytes());
        requests.add(request);
        String first = request.path("messages").path(0).path("content").asText("");
        if (first.contains("[drop]") || (first.contains("[drop-once]") && dropped.add(first))) {
            // the JDK server closes the connection of a handler that throws, without a response
            throw new IllegalStateException("connection dropped on purpose");
        }
        if (first.contains("[slow]")) {
            try {
                Thread.sleep(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (first.contains("[500]")) {
            send(exchange, 500, "{\"error\": {\"message\": \"out of memory\"}}");
            return;
        }
        String answer = first.contains("[unsafe]") ? "unsafe\\nS11" : first.contains("[garbage]") ? "maybe" : "safe";
        send(
                exchange,
                200,
                "{\"id\": \"guard-1\", \"object\": \"chat.completion\", \"choices\": [{\"index\": 0,"
                        + " \"message\": {\"role\": \"assistant\", \"content\": \"" + answer
                        + "\"}, \"finish_reason\": \"stop\"}]}");
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
