package dev.fledge.operator.gates.safety;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** An OpenAI-compatible {@code /v1/moderations} endpoint (a Fledge model server is one). */
public final class ModerationJudge implements Judge {
    private final JsonHttp http;

    /** {@code http} is the operator's shared client: a judge is built per suite run, the client once. */
    public ModerationJudge(HttpClient http, String url, Duration timeout, int maxResponseBytes) {
        this.http = new JsonHttp(http, "judge", url, timeout, maxResponseBytes);
    }

    @Override
    public Judgement judge(String text) {
        JsonNode result = http.post(Map.of("input", text)).path("results").path(0);
        if (!result.path("flagged").isBoolean()) {
            throw new ServiceCallFailed("judge answered without results[0].flagged");
        }
        List<String> categories = new ArrayList<>();
        result.path("categories").fields().forEachRemaining(e -> {
            if (e.getValue().asBoolean(false)) {
                categories.add(e.getKey());
            }
        });
        return new Judgement(result.get("flagged").asBoolean(), List.copyOf(categories));
    }
}
