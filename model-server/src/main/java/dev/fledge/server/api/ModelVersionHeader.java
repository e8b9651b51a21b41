package dev.fledge.server.api;

import dev.fledge.server.config.FledgeConfig;
import jakarta.ws.rs.container.ContainerResponseContext;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/** Every response names the model version that produced it. */
public class ModelVersionHeader {
    public static final String NAME = "X-Fledge-Model-Version";
    private final String version;

    public ModelVersionHeader(FledgeConfig config) {
        this.version = config.model().version();
    }

    @ServerResponseFilter
    public void addVersion(ContainerResponseContext response) {
        response.getHeaders().putSingle(NAME, version);
    }
}
