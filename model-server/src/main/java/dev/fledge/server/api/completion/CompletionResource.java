package dev.fledge.server.api.completion;

import dev.fledge.server.api.JsonBodies;
import dev.fledge.server.metrics.Audience;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code POST /v1/completions} (OpenAI-compatible subset). */
@Path("/v1/completions")
public class CompletionResource {
    private final JsonBodies json;
    private final CompletionService completions;

    public CompletionResource(JsonBodies json, CompletionService completions) {
        this.json = json;
        this.completions = completions;
    }

    @POST
    @Produces(MediaType.APPLICATION_JSON)
    public CompletionResponse complete(String body, @HeaderParam(Audience.HEADER) String audience) {
        return completions.complete(json.parse(body, CompletionRequest.class), Audience.fromHeader(audience));
    }
}
