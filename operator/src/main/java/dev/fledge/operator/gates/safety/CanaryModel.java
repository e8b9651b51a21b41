package dev.fledge.operator.gates.safety;

import java.util.List;

/** The model under test: one completion per prompt. Throws {@link ServiceCallFailed} when it cannot answer. */
public interface CanaryModel {
    String complete(String prompt);

    /** One chat answer to {@code messages}; a model that cannot take chat prompts fails the call. */
    default String chat(List<ChatMessage> messages) {
        throw new ServiceCallFailed("this canary model takes no chat prompts");
    }

    /**
     * This model, checking that every answer comes from {@code version} when the server says which version answered
     * ({@code X-Fledge-Model-Version}); an answer of another version fails its call. The default cannot tell.
     */
    default CanaryModel answeringAs(String version) {
        return this;
    }

    /** The answer to one suite prompt: a chat prompt goes to {@link #chat}, a completion prompt to {@link #complete}. */
    default String answer(Prompt prompt) {
        return prompt.isChat() ? chat(prompt.messages()) : complete(prompt.text());
    }
}
