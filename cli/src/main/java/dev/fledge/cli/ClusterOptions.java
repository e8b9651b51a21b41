package dev.fledge.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import picocli.CommandLine.Option;

/** Options every command takes: where to talk to, and how to print. */
public class ClusterOptions {
    @Option(
            names = {"-n", "--namespace"},
            paramLabel = "NS",
            description = "Namespace of the ModelRelease (default: the current kube context's namespace).")
    String namespace;

    @Option(
            names = "--context",
            paramLabel = "CONTEXT",
            description = "Kube context to use (default: the current one).")
    String context;

    @Option(names = "--no-color", description = "No colours, even on a terminal.")
    boolean noColor;

    @Option(
            names = {"-v", "--verbose"},
            description = "Print stack traces on errors.")
    boolean verbose;

    /** The namespace asked for, else the kube context's, else {@code default}. */
    String namespaceOr(KubernetesClient client) {
        if (namespace != null) {
            return namespace;
        }
        String ns = client.getNamespace();
        return ns == null || ns.isBlank() ? "default" : ns;
    }
}
