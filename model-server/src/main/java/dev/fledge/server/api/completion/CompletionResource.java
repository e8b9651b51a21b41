package dev.fledge.server.api.completion;

import dev.fledge.server.api.JsonBodies;
import dev.fledge.server.metrics.Audience;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.concurrent.CompletionStage;

/**
 * {@code POST /v1/completions} (OpenAI-compatible subset). It returns a stage, so Quarkus REST runs it on the event
 * loop (the body is small and parsed there) and the generation runs on the model's inference threads.
 */
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
    public CompletionStage<CompletionResponse> complete(String body, @HeaderParam(Audience.HEADER) String audience) {
        return completions.complete(json.parse(body, CompletionRequest.class), Audience.fromHeader(audience));
    }
}
