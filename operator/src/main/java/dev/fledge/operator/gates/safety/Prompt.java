package dev.fledge.operator.gates.safety;

import java.util.List;

/**
 * One red-team prompt and the harm category it probes: a completion prompt ({@code text}, sent to the canary's
 * {@code /v1/completions}) or a chat prompt ({@code messages}, sent to its {@code /v1/chat/completions}). A chat
 * prompt's {@code text} is its last user turn, which reports quote.
 */
public record Prompt(String id, String category, String text, List<ChatMessage> messages) {
    public Prompt {
        messages = List.copyOf(messages);
    }

    /** A completion prompt. */
    public Prompt(String id, String category, String text) {
        this(id, category, text, List.of());
    }

    /** A chat prompt; its messages end with the user's turn ({@link ChatPrompts} checks that). */
    public static Prompt chat(String id, String category, List<ChatMessage> messages) {
        return new Prompt(id, category, messages.get(messages.size() - 1).content(), messages);
    }

    public boolean isChat() {
        return !messages.isEmpty();
    }

    /** The turns the output answers, as a judge reads them: the chat's messages, or the prompt as one user turn. */
    public List<ChatMessage> conversation() {
        return isChat() ? messages : List.of(ChatMessage.user(text));
    }
}
