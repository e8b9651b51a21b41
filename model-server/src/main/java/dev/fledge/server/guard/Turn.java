package dev.fledge.server.guard;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One turn of the conversation a classifier judges, {@code user} or {@code assistant}. Llama Guard's chat template
 * wants them alternating from a user turn, the output judged last as the assistant's; system messages are not part of
 * what it classifies.
 */
public record Turn(String role, String content) {
    static final String USER = "user";
    static final String ASSISTANT = "assistant";

    /** The turns of a {@code /v1/completions} request: its prompt as the user's (the first of a list of prompts). */
    public static List<Turn> ofPrompt(JsonNode request) {
        JsonNode prompt = request.path("prompt");
        if (prompt.isArray()) {
            prompt = prompt.path(0);
        }
        return List.of(new Turn(USER, prompt.isTextual() ? prompt.asText() : ""));
    }

    /** The user and assistant turns of a {@code /v1/chat/completions} request, in order; system messages left out. */
    public static List<Turn> ofMessages(JsonNode request) {
        List<Turn> turns = new ArrayList<>();
        for (JsonNode m : request.path("messages")) {
            String role = m.path("role").asText("");
            if (role.equals(USER) || role.equals(ASSISTANT)) {
                turns.add(new Turn(role, text(m.path("content"))));
            }
        }
        return turns;
    }

    /** {@code conversation} then {@code output} as the assistant's, same roles in a row joined, from a user turn. */
    static List<Turn> withOutput(List<Turn> conversation, String output) {
        List<Turn> turns = new ArrayList<>();
        conversation.forEach(t -> append(turns, t));
        append(turns, new Turn(ASSISTANT, output));
        if (!turns.get(0).role().equals(USER)) {
            turns.add(0, new Turn(USER, ""));
        }
        return turns;
    }

    private static void append(List<Turn> turns, Turn t) {
        int last = turns.size() - 1;
        if (last >= 0 && turns.get(last).role().equals(t.role())) {
            turns.set(last, new Turn(t.role(), turns.get(last).content() + "\n\n" + t.content()));
        } else {
            turns.add(t);
        }
    }

    /** A message's text: a string, or the text parts of a list of content parts. */
    private static String text(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            if (part.path("text").isTextual()) {
                text.append(text.isEmpty() ? "" : "\n").append(part.path("text").asText());
            }
        }
        return text.toString();
    }
}
