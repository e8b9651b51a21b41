package dev.fledge.operator.gates.safety;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** The canary's OpenAI-compatible {@code /v1/completions}, sampled (temperature 1, a fresh seed per prompt). */
public final class HttpCanaryModel implements CanaryModel {
    private final JsonHttp http;
    private final int maxTokens;

    /** {@code http} is the operator's shared client: a model is built per suite run, the client once. */
    public HttpCanaryModel(HttpClient http, String baseUrl, Duration timeout, int maxTokens, int maxResponseBytes) {
        this.http = new JsonHttp(
                http, "canary model", baseUrl.replaceAll("/+$", "") + "/v1/completions", timeout, maxResponseBytes);
        this.maxTokens = maxTokens;
    }

    @Override
    public String complete(String prompt) {
        JsonNode r = http.post(Map.of(
                "prompt",
                prompt,
                "max_tokens",
                maxTokens,
                "temperature",
                1.0,
                "seed",
                ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE)));
        JsonNode text = r.path("choices").path(0).path("text");
        if (!text.isTextual()) {
            throw new ServiceCallFailed("canary model answered without choices[0].text");
        }
        return text.asText();
    }
}
