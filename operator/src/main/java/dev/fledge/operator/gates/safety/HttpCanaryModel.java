package dev.fledge.operator.gates.safety;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The canary's OpenAI-compatible {@code /v1/completions} and, for chat prompts, {@code /v1/chat/completions},
 * sampled (temperature 1, a fresh seed per prompt).
 */
public final class HttpCanaryModel implements CanaryModel {
    /** The header in which Fledge's model server (and its sidecar) names the version that answered. */
    static final String VERSION_HEADER = "X-Fledge-Model-Version";

    private final JsonHttp completions;
    private final JsonHttp chats;
    private final int maxTokens;
    private final String version;

    /** {@code http} is the operator's shared client: a model is built per suite run, the client once. */
    public HttpCanaryModel(HttpClient http, String baseUrl, Duration timeout, int maxTokens, int maxResponseBytes) {
        String base = baseUrl.replaceAll("/+$", "");
        this.completions = new JsonHttp(http, "canary model", base + "/v1/completions", timeout, maxResponseBytes);
        this.chats = new JsonHttp(http, "canary model", base + "/v1/chat/completions", timeout, maxResponseBytes);
        this.maxTokens = maxTokens;
        this.version = null;
    }

    private HttpCanaryModel(HttpCanaryModel of, String version) {
        this.completions = of.completions;
        this.chats = of.chats;
        this.maxTokens = of.maxTokens;
        this.version = version;
    }

    /**
     * Checks the version in every answer's {@value #VERSION_HEADER}: a call can still reach a pod of the track's
     * previous version, whose outputs must not count as this version's. A rolled-back or replaced version's pods serve
     * until they have stopped (the preStop sleep, then the drain); the operator's HTTP client keeps connections open
     * and reuses them, and kube-proxy keeps a connection on the pod it first reached, so a kept-open connection to the
     * track's Service goes on reaching the old pod (the likelier cause of what the cluster tier saw); and kube-proxy
     * sends new connections to serving terminating pods while no ready one exists. An answer without the header (a
     * server that does not say) is taken; one with several, only if all name this version.
     */
    @Override
    public CanaryModel answeringAs(String version) {
        return version == null ? this : new HttpCanaryModel(this, version);
    }

    private JsonNode checked(JsonHttp.Answer answer) {
        if (version != null) {
            // every value: an answer that names the version once and another version again is not this version's
            if (answer.headers().allValues(VERSION_HEADER).stream().anyMatch(said -> !said.equals(version))) {
                // the header is the tenant's server's text: never quoted into status
                throw new ServiceCallFailed("the model answered as another version than " + version
                        + " (a pod of an earlier version behind the track's Service, reached on a new or a kept-open"
                        + " connection): not counted");
            }
        }
        return answer.json();
    }

    @Override
    public String complete(String prompt) {
        JsonNode text = checked(completions.exchange(
                        Map.of("prompt", prompt, "max_tokens", maxTokens, "temperature", 1.0, "seed", seed())))
                .path("choices")
                .path(0)
                .path("text");
        if (!text.isTextual()) {
            throw new ServiceCallFailed("canary model answered without choices[0].text");
        }
        return text.asText();
    }

    @Override
    public String chat(List<ChatMessage> messages) {
        List<Map<String, String>> turns = messages.stream()
                .map(m -> Map.of("role", m.role(), "content", m.content()))
                .toList();
        JsonNode content = checked(chats.exchange(
                        Map.of("messages", turns, "max_tokens", maxTokens, "temperature", 1.0, "seed", seed())))
                .path("choices")
                .path(0)
                .path("message")
                .path("content");
        if (!content.isTextual()) {
            throw new ServiceCallFailed("canary model answered without choices[0].message.content");
        }
        return content.asText();
    }

    private static int seed() {
        return ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
    }
}
