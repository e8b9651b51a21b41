package dev.fledge.operator.gates.safety;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The chat entries of a prompt suite: {@code messages} (a list of {@code {role, content}}) and an optional
 * {@code system} prompt, or {@code system} with a {@code prompt}. The roles are those every chat template accepts: an
 * optional system message first, then user and assistant in turn, the last one the user's (the canary answers it).
 * Anything else is refused with the entry and the message it is about.
 */
final class ChatPrompts {
    private ChatPrompts() {}

    /** Whether the entry is a chat prompt. */
    static boolean isChat(JsonNode entry) {
        return entry.has("messages") || entry.has("system");
    }

    /** The messages of a chat entry; {@code where} names it in errors ("suite s: prompt #3"). */
    static List<ChatMessage> messages(String where, JsonNode entry) {
        boolean hasPrompt = entry.has("prompt") || entry.has("text");
        List<ChatMessage> out = new ArrayList<>();
        if (entry.has("system")) {
            out.add(new ChatMessage(ChatMessage.SYSTEM, text(where + ": system", entry.get("system"))));
        }
        if (entry.has("messages")) {
            if (hasPrompt) {
                throw new IllegalArgumentException(
                        where + " has both prompt and messages; a chat prompt has messages only");
            }
            JsonNode list = entry.get("messages");
            if (!list.isArray() || list.isEmpty()) {
                throw new IllegalArgumentException(where + ": messages must be a non-empty list of {role, content}");
            }
            int j = 0;
            for (JsonNode m : list) {
                j++;
                String at = where + ", message #" + j;
                if (!m.isObject()) {
                    throw new IllegalArgumentException(at + " is not a map with role and content");
                }
                String role = m.path("role").asText("");
                boolean systemFirst = ChatMessage.SYSTEM.equals(role) && j == 1 && !entry.has("system");
                if (!systemFirst && !ChatMessage.USER.equals(role) && !ChatMessage.ASSISTANT.equals(role)) {
                    throw new IllegalArgumentException(at + " has role '" + TenantText.cut(role)
                            + "'; roles are user and assistant, and system only as the first message (or system:)");
                }
                out.add(new ChatMessage(role, text(at + ": content", m.get("content"))));
            }
        } else if (hasPrompt) {
            out.add(ChatMessage.user(
                    text(where + ": prompt", entry.has("prompt") ? entry.get("prompt") : entry.get("text"))));
        } else {
            throw new IllegalArgumentException(where + " has a system prompt but no messages (or prompt)");
        }
        checkTurns(where, out);
        return List.copyOf(out);
    }

    /** After the system message: user, assistant, user, ... ending with the user's turn. */
    private static void checkTurns(String where, List<ChatMessage> messages) {
        List<ChatMessage> turns = messages.stream()
                .filter(m -> !ChatMessage.SYSTEM.equals(m.role()))
                .toList();
        for (int i = 0; i < turns.size(); i++) {
            String expected = i % 2 == 0 ? ChatMessage.USER : ChatMessage.ASSISTANT;
            if (!expected.equals(turns.get(i).role())) {
                throw new IllegalArgumentException(
                        where + ": turn #" + (i + 1) + " is " + turns.get(i).role() + " where " + expected
                                + " was expected; user and assistant take turns, starting with user");
            }
        }
        if (turns.isEmpty()
                || !ChatMessage.USER.equals(turns.get(turns.size() - 1).role())) {
            throw new IllegalArgumentException(where + ": the last message must be the user's (the canary answers it)");
        }
    }

    private static String text(String what, JsonNode n) {
        if (n == null || !n.isTextual() || n.asText().isBlank()) {
            throw new IllegalArgumentException(what + " must be a non-empty string");
        }
        return n.asText();
    }
}
