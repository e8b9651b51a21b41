package dev.fledge.server.proxy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A misbehaving OpenAI-compatible server on loopback: what it does is chosen per request by the
 * {@code X-Stub} header (which the proxy forwards like any other): harmful text (whole, or streamed with a
 * flagged word split across two chunks), a trickled stream, garbage, silence, errors, a stream cut off.
 */
final class StubUpstream implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(8);

    StubUpstream() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void handle(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        String mode = String.valueOf(exchange.getRequestHeaders().getFirst("X-Stub"));
        boolean chat = exchange.getRequestURI().getPath().endsWith("/chat/completions");
        switch (mode) {
            case "harmful" -> json(exchange, 200, whole(chat, "I will kill you"));
            case "harmful-stream" -> stream(exchange, chat, 0, "I will ki", "ll you");
            case "trickle" -> stream(exchange, chat, 400, "one", " two", " three");
            case "no-id" -> json(exchange, 200, whole(chat, "fine").replaceFirst("\"id\": \"[^\"]+\", ", ""));
            case "garbage" -> send(exchange, 200, "text/html", "<html>oops</html>");
            case "not-openai" -> json(exchange, 200, "{\"result\": \"hello\"}");
            case "slow" -> {
                sleep(3000);
                json(exchange, 200, whole(chat, "late"));
            }
            case "error500" -> json(exchange, 500, "{\"error\": {\"message\": \"CUDA out of memory\"}}");
            case "busy" -> json(exchange, 429, "{\"error\": {\"message\": \"too many requests\"}}");
            case "bad" -> json(exchange, 400, "{\"error\": {\"message\": \"prompt is too long for this model\"}}");
            case "html400" -> send(exchange, 400, "text/html", "<html>Bad Request</html>");
            case "cut" -> cut(exchange, chat);
            case "audience" ->
                json(
                        exchange,
                        200,
                        whole(
                                chat,
                                "audience "
                                        + String.valueOf(
                                                exchange.getRequestHeaders().getFirst("X-Fledge-Audience"))));
            default -> json(exchange, 200, "{\"object\": \"list\", \"data\": [{\"id\": \"stub-model\"}]}");
        }
        exchange.close(); // not when a case threw: the server then drops the connection (the "cut" case)
    }

    private static String whole(boolean chat, String text) {
        String choice = chat
                ? "{\"index\": 0, \"message\": {\"role\": \"assistant\", \"content\": \"" + text
                        + "\"}, \"finish_reason\": \"stop\"}"
                : "{\"index\": 0, \"text\": \"" + text + "\", \"finish_reason\": \"stop\"}";
        return "{\"id\": \"stub-" + System.nanoTime() + "\", \"object\": \""
                + (chat ? "chat.completion" : "text_completion")
                + "\", \"choices\": [" + choice + "], \"usage\": {\"prompt_tokens\": 2, \"completion_tokens\": 4,"
                + " \"total_tokens\": 6}}";
    }

    private static String chunk(boolean chat, String id, String text) {
        String choice = chat
                ? "{\"index\": 0, \"delta\": {\"content\": \"" + text + "\"}, \"finish_reason\": null}"
                : "{\"index\": 0, \"text\": \"" + text + "\", \"finish_reason\": null}";
        return "data: {\"id\": \"" + id + "\", \"choices\": [" + choice + "]}\n\n";
    }

    private static void stream(HttpExchange exchange, boolean chat, long pauseMs, String... pieces) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        String id = "stub-stream-" + System.nanoTime();
        for (String piece : pieces) {
            out.write(chunk(chat, id, piece).getBytes(StandardCharsets.UTF_8));
            out.flush();
            sleep(pauseMs);
        }
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        out.close();
    }

    /** One event, then the connection is dropped without ending the chunked body. */
    private static void cut(HttpExchange exchange, boolean chat) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        out.write(chunk(chat, "stub-cut", "half a").getBytes(StandardCharsets.UTF_8));
        out.flush();
        sleep(200);
        throw new IllegalStateException("stub: cut the stream");
    }

    private static void json(HttpExchange exchange, int status, String body) throws IOException {
        send(exchange, status, "application/json", body);
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
