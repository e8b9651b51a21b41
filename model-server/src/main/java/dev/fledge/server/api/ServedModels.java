package dev.fledge.server.api;

import dev.fledge.server.model.ModelRuntime;
import dev.fledge.server.model.ServedModel;
import dev.fledge.server.model.TensorModel;
import dev.fledge.server.model.TextModel;
import jakarta.enterprise.context.ApplicationScoped;

/** Finds the served model for a request by name and kind, or says clearly why not. */
@ApplicationScoped
public class ServedModels {
    private final ModelRuntime runtime;

    public ServedModels(ModelRuntime runtime) {
        this.runtime = runtime;
    }

    public String name() {
        return runtime.modelName();
    }

    public String version() {
        return runtime.version();
    }

    /** A request without a model name gets the served model. */
    public TextModel text(String requested) {
        if (served(requested) instanceof TextModel text) {
            return text;
        }
        throw ApiException.modelLimit(
                "model '" + name() + "' is a tensor model; use POST /v2/models/" + name() + "/infer");
    }

    public TensorModel tensor(String requested) {
        if (served(requested) instanceof TensorModel tensor) {
            return tensor;
        }
        throw ApiException.modelLimit("model '" + name() + "' is a text model; use POST /v1/completions");
    }

    private ServedModel served(String requested) {
        if (requested != null && !requested.equals(name())) {
            throw ApiException.notFound(
                    "model '" + requested + "' is not served here; this server serves '" + name() + "'");
        }
        return runtime.model()
                .orElseThrow(() -> new ApiException(503, "server_error", "model '" + name() + "' is not loaded yet"));
    }
}
