package dev.fledge.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.function.Supplier;

/**
 * Runs one API call and turns its failure into a one-line {@link CliError} that says what was refused: the verb,
 * the resource and the namespace on 401/403, the server's address when it cannot be reached.
 */
final class Api {
    static final String MODELRELEASES = "modelreleases.fledge.dev";
    static final String EVENTS = "events";

    private final KubernetesClient client;
    private final String namespace;

    Api(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    String namespace() {
        return namespace;
    }

    <T> T call(String verb, String resource, Supplier<T> request) {
        try {
            return request.get();
        } catch (KubernetesClientException e) {
            throw translate(verb, resource, e);
        }
    }

    CliError translate(String verb, String resource, KubernetesClientException e) {
        String where = "in namespace \"" + namespace + "\"";
        return switch (e.getCode()) {
            case 401 ->
                new CliError(
                        "unauthorized: the API server at " + server()
                                + " did not accept the credentials of the current kube context",
                        e);
            case 403 ->
                new CliError("forbidden: you may not " + verb + " " + resource + " " + where + serverSays(e), e);
            case 404 -> new CliError(resource + " not found " + where + " (is the Fledge CRD installed?)", e);
            case 0, -1 -> new CliError("cannot reach the API server at " + server() + ": " + rootCause(e), e);
            default ->
                new CliError(
                        verb + " " + resource + " " + where + " failed (HTTP " + e.getCode() + ")" + serverSays(e), e);
        };
    }

    private String server() {
        return client.getMasterUrl() == null
                ? "(no server configured)"
                : client.getMasterUrl().toString();
    }

    private static String serverSays(KubernetesClientException e) {
        String msg = e.getStatus() != null && e.getStatus().getMessage() != null
                ? e.getStatus().getMessage()
                : null;
        return msg == null || msg.isBlank() ? "" : ": " + msg;
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String msg = t.getMessage();
        return msg == null || msg.isBlank() ? t.getClass().getSimpleName() : msg;
    }
}
