package dev.fledge.operator.workload;

import dev.fledge.api.spec.ServerSpec;

/** Defaults of {@code spec.server}. */
public record ServerDefaults(String image, int port) {
    public static final String CONTAINER = "model-server";

    public String image(ServerSpec s) {
        return s == null || s.getImage() == null ? image : s.getImage();
    }

    public int port(ServerSpec s) {
        return s == null || s.getPort() == null ? port : s.getPort();
    }
}
