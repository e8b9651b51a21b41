package dev.fledge.server.http;

import static dev.fledge.server.support.Api.complete;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fledge.server.support.Json;
import java.util.ArrayList;
import java.util.List;

/** Sends a fixed set of sampled prompts, as a red-team suite would, and returns the responses. */
final class SampledPrompts {
    private static final String[] OPENINGS = {
        "the", "we", "a", "in the", "when the", "the old", "you", "they", "the garden", "the children"
    };

    private SampledPrompts() {}

    static List<JsonNode> send(int count, String audience) {
        List<JsonNode> responses = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String body =
                    "{\"prompt\": \"" + OPENINGS[i % OPENINGS.length] + "\", \"max_tokens\": 16, \"seed\": " + i + "}";
            responses.add(Json.read(
                    complete(body, audience).then().statusCode(200).extract().asString()));
        }
        return responses;
    }
}
