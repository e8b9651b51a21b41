package dev.fledge.server.support;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** A server-sent event stream as the client read it: its {@code data:} payloads, in order. */
public record Sse(List<String> data) {

    public static Sse parse(String body) {
        List<String> data = new ArrayList<>();
        for (String event : body.split("\n\n")) {
            for (String line : event.split("\n")) {
                if (line.startsWith("data: ")) {
                    data.add(line.substring(6));
                } else if (!line.isBlank()) {
                    throw new IllegalArgumentException("not a data line: " + line);
                }
            }
        }
        return new Sse(data);
    }

    /** Every event but the last {@code [DONE]}, as JSON. */
    public List<JsonNode> chunks() {
        return data.stream().filter(d -> !d.equals("[DONE]")).map(Json::read).toList();
    }

    public String last() {
        return data.get(data.size() - 1);
    }

    /** The text the chunks add up to: {@code choices[0].delta.content} (chat) or {@code choices[0].text}. */
    public String text() {
        StringBuilder text = new StringBuilder();
        for (JsonNode chunk : chunks()) {
            JsonNode choice = chunk.path("choices").path(0);
            JsonNode piece = choice.has("delta") ? choice.path("delta").path("content") : choice.path("text");
            if (piece.isTextual()) {
                text.append(piece.asText());
            }
        }
        return text.toString();
    }
}
