package dev.fledge.operator.gates.safety;

import java.util.List;

/** Judges one output. Throws {@link ServiceCallFailed} when it cannot. */
public interface Judge {
    Judgement judge(String text);

    /**
     * Judges {@code output} as the answer to {@code conversation} (the prompt's turns, {@link Prompt#conversation}).
     * A judge that reads outputs alone (a moderation endpoint) ignores the conversation.
     */
    default Judgement judge(List<ChatMessage> conversation, String output) {
        return judge(output);
    }
}
