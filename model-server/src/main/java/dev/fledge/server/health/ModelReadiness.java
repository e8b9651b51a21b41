package dev.fledge.server.health;

import dev.fledge.server.model.ModelRuntime;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the model is loaded and has answered a warm-up inference. */
@Readiness
@ApplicationScoped
public class ModelReadiness implements HealthCheck {
    private final ModelRuntime runtime;

    public ModelReadiness(ModelRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("model").status(runtime.ready())
                .withData("model", runtime.modelName()).withData("version", runtime.version()).build();
    }
}
