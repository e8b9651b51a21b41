package dev.fledge.server.health;

import dev.fledge.server.model.ModelRuntime;
import dev.fledge.server.proxy.UpstreamProbe;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the model is loaded and has answered a warm-up inference; in proxy mode, once the upstream answers. */
@Readiness
@ApplicationScoped
public class ModelReadiness implements HealthCheck {
    private final ModelRuntime runtime;
    private final UpstreamProbe upstream;

    public ModelReadiness(ModelRuntime runtime, UpstreamProbe upstream) {
        this.runtime = runtime;
        this.upstream = upstream;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("model")
                .withData("model", runtime.modelName())
                .withData("version", runtime.version());
        if (!upstream.proxyMode()) {
            return response.status(runtime.ready()).build();
        }
        String reason = upstream.notReadyReason();
        return (reason == null ? response.up() : response.down().withData("reason", reason)).build();
    }
}
