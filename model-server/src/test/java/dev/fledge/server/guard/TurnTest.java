package dev.fledge.server.guard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class TurnTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return MAPPER.readTree(text);
    }

    @Test
    void aChatsContentPartsAreItsTextAndSystemMessagesAreLeftOut() throws Exception {
        List<Turn> turns = Turn.ofMessages(json("{\"messages\": [{\"role\": \"system\", \"content\": \"be kind\"},"
                + " {\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"look\"},"
                + " {\"type\": \"image_url\", \"image_url\": {\"url\": \"data:,\"}}, {\"type\": \"text\", \"text\": \"here\"}]},"
                + " {\"role\": \"tool\", \"content\": \"42\"}]}"));
        assertThat(turns).containsExactly(new Turn("user", "look\nhere"));
    }

    @Test
    void theOutputIsTheLastAssistantTurnAndTurnsAlternateFromAUserTurn() {
        assertThat(Turn.withOutput(List.of(new Turn("assistant", "hello")), "more"))
                .containsExactly(new Turn("user", ""), new Turn("assistant", "hello\n\nmore"));
        assertThat(Turn.withOutput(List.of(new Turn("user", "a"), new Turn("user", "b")), "c"))
                .containsExactly(new Turn("user", "a\n\nb"), new Turn("assistant", "c"));
    }

    @Test
    void aCompletionsPromptIsTheUsersTurn() throws Exception {
        assertThat(Turn.ofPrompt(json("{\"prompt\": [\"first\", \"second\"]}")))
                .containsExactly(new Turn("user", "first"));
        assertThat(Turn.ofPrompt(json("{\"prompt\": 7}"))).containsExactly(new Turn("user", ""));
    }
}
