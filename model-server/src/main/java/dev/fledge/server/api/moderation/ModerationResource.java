package dev.fledge.server.api.moderation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fledge.server.api.ApiException;
import dev.fledge.server.api.JsonBodies;
import dev.fledge.server.guard.Guard;
import dev.fledge.server.guard.Verdict;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** {@code POST /v1/moderations}: the guard's policy applied to any text, so this server can judge another. */
@Path("/v1/moderations")
public class ModerationResource {
    static final String GUARD_MODEL = "fledge-guard";
    private final JsonBodies json;
    private final Guard guard;

    public ModerationResource(JsonBodies json, Guard guard) {
        this.json = json;
        this.guard = guard;
    }

    @POST
    @Produces(MediaType.APPLICATION_JSON)
    public ModerationResponse moderate(String body) {
        List<String> inputs = inputs(json.parse(body, ModerationRequest.class).input());
        List<ModerationResponse.Result> results = new ArrayList<>(inputs.size());
        for (String text : inputs) {
            Verdict v = guard.judge(text);
            results.add(new ModerationResponse.Result(v.flagged(), v.categories(), v.scores()));
        }
        return new ModerationResponse("modr-" + UUID.randomUUID().toString().replace("-", ""), GUARD_MODEL, results);
    }

    private static List<String> inputs(JsonNode input) {
        if (input == null || input.isNull()) {
            throw ApiException.invalid("field 'input' is required");
        }
        if (input.isTextual()) {
            return List.of(input.asText());
        }
        if (input.isArray() && !input.isEmpty()) {
            List<String> texts = new ArrayList<>();
            for (JsonNode item : input) {
                if (!item.isTextual()) {
                    throw ApiException.invalid("field 'input' must be a string or an array of strings");
                }
                texts.add(item.asText());
            }
            return texts;
        }
        throw ApiException.invalid("field 'input' must be a string or a non-empty array of strings");
    }
}
