package dev.fledge.operator.workload;

import dev.fledge.api.spec.ServerSpec;

/** Defaults of {@code spec.server}. */
public record ServerDefaults(String image, int port) {
    public static final String CONTAINER = "model-server";
    /** The container port every Service but the public one targets: the server honours the audience header there. */
    public static final String PORT = "http";
    /**
     * The container port where the model server counts every request as {@code public} (its {@code
     * fledge.public-port}): the replicas router's public Service targets it (security review 15, MED 3).
     */
    public static final String PUBLIC_PORT = "http-public";

    /** The public port beside a server port: the next one, or the one below for 65535. */
    public static int publicPort(int port) {
        return port < 65535 ? port + 1 : port - 1;
    }

    public String image(ServerSpec s) {
        return s == null || s.getImage() == null ? image : s.getImage();
    }

    public int port(ServerSpec s) {
        return s == null || s.getPort() == null ? port : s.getPort();
    }
}
