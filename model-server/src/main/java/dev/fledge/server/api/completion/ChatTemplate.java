package dev.fledge.server.api.completion;

import dev.fledge.server.api.ApiException;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns chat messages into the prompt of a word-level text model. Such a model has no role tokens, so the template
 * is plain text: every message's content in order, each ending with a full stop (one is added unless it already
 * ends with {@code .}, {@code !} or {@code ?}), joined by spaces. The model goes on from there, as the assistant.
 * <pre>
 * [system: "You answer about gardens"], [user: "What grows in the garden?"]
 *   -> "You answer about gardens. What grows in the garden?"
 * </pre>
 */
public final class ChatTemplate {
    static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant");
    private static final Pattern ENDS_A_SENTENCE = Pattern.compile(".*[.!?]\\s*$", Pattern.DOTALL);

    public String prompt(List<ChatRequest.Message> messages) {
        if (messages == null || messages.isEmpty()) {
            throw ApiException.invalid("field 'messages' is required: a non-empty array of {role, content}");
        }
        StringBuilder prompt = new StringBuilder();
        for (int i = 0; i < messages.size(); i++) {
            ChatRequest.Message m = messages.get(i);
            if (m == null) {
                throw ApiException.invalid("messages[" + i + "] must be an object with role and content");
            }
            if (m.role() == null || !ROLES.contains(m.role())) {
                throw ApiException.invalid("messages[" + i + "].role must be one of system, developer, user,"
                        + " assistant; got " + (m.role() == null ? "none" : "'" + m.role() + "'"));
            }
            if (m.content() == null) {
                throw ApiException.invalid("messages[" + i + "].content is required (a string)");
            }
            String content = m.content().strip();
            if (content.isEmpty()) {
                continue;
            }
            if (prompt.length() > 0) {
                prompt.append(' ');
            }
            prompt.append(content);
            if (!ENDS_A_SENTENCE.matcher(content).matches()) {
                prompt.append('.');
            }
        }
        return prompt.toString();
    }
}
