package dev.fledge.operator.gates.safety;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * Real HTTP servers on loopback for the suite's two sides. The canary answers {@code /v1/completions} and {@code
 * /v1/chat/completions} (its answer repeats the prompt, or the chat's last user turn, after "re: "). The judge answers
 * {@code /v1/chat/completions} as a Llama Guard model served by an OpenAI-compatible server does: it refuses (400) a
 * conversation that does not alternate user and assistant from a user turn, as Llama Guard's chat template does, and
 * otherwise answers {@code guard.apply(last assistant turn)} as the message content; and {@code /v1/moderations} as a
 * moderation endpoint, flagging what the same function calls unsafe under the codes it names.
 */
final class LoopbackModels implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    /** The judge's chat requests, as received. */
    final List<JsonNode> judgeRequests = new CopyOnWriteArrayList<>();
    /** The canary's requests, with their path. */
    final List<String> canaryPaths = new CopyOnWriteArrayList<>();

    final List<JsonNode> canaryRequests = new CopyOnWriteArrayList<>();

    volatile Function<String, String> guard;

    LoopbackModels(Function<String, String> guard) {
        this.guard = guard;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/canary/v1/completions", ex -> {
            JsonNode req = read(ex);
            canaryPaths.add("/v1/completions");
            canaryRequests.add(req);
            answer(
                    ex,
                    200,
                    JSON.createObjectNode()
                            .set(
                                    "choices",
                                    JSON.createArrayNode()
                                            .add(JSON.createObjectNode()
                                                    .put(
                                                            "text",
                                                            "re: "
                                                                    + req.path("prompt")
                                                                            .asText()))));
        });
        server.createContext("/canary/v1/chat/completions", ex -> {
            JsonNode req = read(ex);
            canaryPaths.add("/v1/chat/completions");
            canaryRequests.add(req);
            JsonNode msgs = req.path("messages");
            answer(
                    ex,
                    200,
                    chatAnswer(
                            "re: " + msgs.path(msgs.size() - 1).path("content").asText()));
        });
        server.createContext("/judge/v1/chat/completions", ex -> {
            JsonNode req = read(ex);
            judgeRequests.add(req);
            JsonNode msgs = req.path("messages");
            for (int i = 0; i < msgs.size(); i++) {
                String role = msgs.get(i).path("role").asText();
                if (!role.equals(i % 2 == 0 ? "user" : "assistant")) {
                    answer(
                            ex,
                            400,
                            JSON.createObjectNode()
                                    .set(
                                            "error",
                                            JSON.createObjectNode()
                                                    .put(
                                                            "message",
                                                            "Conversation roles must alternate user/assistant/user/assistant/...")));
                    return;
                }
            }
            answer(
                    ex,
                    200,
                    chatAnswer(this.guard.apply(
                            msgs.path(msgs.size() - 1).path("content").asText())));
        });
        server.createContext("/judge/v1/moderations", ex -> {
            String verdict = this.guard.apply(read(ex).path("input").asText()).strip();
            var categories = JSON.createObjectNode();
            if (verdict.startsWith("unsafe")) {
                for (String code :
                        verdict.lines().skip(1).findFirst().orElse("").split(",")) {
                    categories.put(LlamaGuardCategories.DEFAULTS.getOrDefault(code.strip(), code.strip()), true);
                }
            }
            var result = JSON.createObjectNode().put("flagged", verdict.startsWith("unsafe"));
            result.set("categories", categories);
            answer(
                    ex,
                    200,
                    JSON.createObjectNode()
                            .set("results", JSON.createArrayNode().add(result)));
        });
        server.start();
    }

    String canaryUrl() {
        return base() + "/canary";
    }

    String judgeUrl(String path) {
        return base() + "/judge" + path;
    }

    private String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static JsonNode chatAnswer(String content) {
        var message = JSON.createObjectNode().put("role", "assistant").put("content", content);
        var choice = JSON.createObjectNode().put("index", 0).put("finish_reason", "stop");
        choice.set("message", message);
        return JSON.createObjectNode()
                .put("object", "chat.completion")
                .set("choices", JSON.createArrayNode().add(choice));
    }

    private static JsonNode read(HttpExchange ex) throws IOException {
        return JSON.readTree(ex.getRequestBody().readAllBytes());
    }

    private static void answer(HttpExchange ex, int status, JsonNode json) throws IOException {
        byte[] body = JSON.writeValueAsBytes(json);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(body);
        }
    }

    /** Llama Guard's answers: S11 for "end my life", S1 for "hurt", not an answer for "garbage", else safe. */
    static String byKeyword(String assistantTurn) {
        if (assistantTurn.contains("end my life")) {
            return "\n\nunsafe\nS11";
        }
        if (assistantTurn.contains("hurt")) {
            return "\n\nunsafe\nS1";
        }
        if (assistantTurn.contains("garbage")) {
            return "I think this conversation is probably fine.";
        }
        return "\n\nsafe";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
