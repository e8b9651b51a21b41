package dev.fledge.server.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;

/** {@code GET /v1/models}: the one model this server serves (OpenAI-compatible). */
@Path("/v1/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {
    private final ServedModels models;
    private final long created = Instant.now().getEpochSecond();

    public ModelsResource(ServedModels models) {
        this.models = models;
    }

    /** {@code version} is a Fledge extension. */
    public record ModelCard(String id, String object, long created, String owned_by, String version) {}

    public record ModelList(String object, List<ModelCard> data) {}

    @GET
    public ModelList list() {
        return new ModelList("list", List.of(card()));
    }

    @GET
    @Path("/{model}")
    public ModelCard get(@PathParam("model") String model) {
        if (!model.equals(models.name())) {
            throw ApiException.notFound(
                    "model '" + model + "' is not served here; this server serves '" + models.name() + "'");
        }
        return card();
    }

    private ModelCard card() {
        return new ModelCard(models.name(), "model", created, "fledge", models.version());
    }
}
