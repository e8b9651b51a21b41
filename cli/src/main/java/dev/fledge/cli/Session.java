package dev.fledge.cli;

import dev.fledge.core.rollout.GoDuration;
import dev.fledge.core.rollout.PlanResolver;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/** One command's connection: the client for the chosen context, the namespace, and how to print. */
final class Session implements AutoCloseable {
    /** The operator's default analysis interval (fledge.analysis.default-interval) when a spec sets none. */
    static final String DEFAULT_INTERVAL = "1m";

    final KubernetesClient client;
    final Api api;
    final ReleaseStore store;
    final Style style;
    final PlanResolver plans = new PlanResolver(GoDuration.parse(DEFAULT_INTERVAL));

    private Session(KubernetesClient client, String namespace, Style style) {
        this.client = client;
        this.api = new Api(client, namespace);
        this.store = new ReleaseStore(client, api);
        this.style = style;
    }

    static Session open(CliEnv env, ClusterOptions options) {
        KubernetesClient client;
        try {
            client = env.clients().connect(options.context);
        } catch (KubernetesClientException | IllegalArgumentException e) {
            throw new CliError("cannot load the kube configuration: " + e.getMessage(), e);
        }
        return new Session(client, options.namespaceOr(client), new Style(env.color() && !options.noColor));
    }

    String namespace() {
        return api.namespace();
    }

    @Override
    public void close() {
        client.close();
    }
}
