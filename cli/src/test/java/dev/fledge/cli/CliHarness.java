package dev.fledge.cli;

import dev.fledge.api.ModelRelease;
import dev.fledge.testsupport.MockCluster;
import io.fabric8.kubernetes.api.model.EventList;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CLI in-process against Fabric8's mock API server (CRUD mode) holding the fixtures of
 * src/test/resources/cli-golden/fixtures, with the clock fixed at {@link #NOW} and the kube context's namespace
 * {@code ml}.
 */
final class CliHarness implements AutoCloseable {
    static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    static final Path FIXTURES = Path.of("src/test/resources/cli-golden/fixtures");
    static final List<String> RELEASES = List.of("assistant", "summarizer", "translator");

    private static final HttpClient.Factory HTTP = new VertxHttpClientFactory(Vertx.vertx());
    private final MockCluster cluster;

    CliHarness() throws IOException {
        Map<String, ModelRelease> releases = new LinkedHashMap<>();
        for (String name : RELEASES) {
            releases.put(name, load(name + ".yaml", ModelRelease.class));
        }
        Map<String, String> createdAt = new LinkedHashMap<>();
        releases.forEach((name, mr) -> createdAt.put(name, mr.getMetadata().getCreationTimestamp()));
        cluster = new MockCluster(new FixtureDispatcher(createdAt));
        KubernetesClient client = cluster.client();
        for (ModelRelease mr : releases.values()) {
            var status = mr.getStatus();
            ModelRelease created = client.resource(mr).create();
            created.setStatus(status);
            client.resource(created).updateStatus();
        }
        load("events.yaml", EventList.class)
                .getItems()
                .forEach(e -> client.v1()
                        .events()
                        .inNamespace(e.getMetadata().getNamespace())
                        .resource(e)
                        .create());
    }

    private static <T> T load(String file, Class<T> type) throws IOException {
        try (InputStream in = Files.newInputStream(FIXTURES.resolve(file))) {
            return new KubernetesSerialization().unmarshal(in, type);
        }
    }

    /** An admin client of the mock server (for setting up and checking state). */
    KubernetesClient client() {
        return cluster.client();
    }

    /** The configuration a kubeconfig for this server would give: its URL, namespace ml. */
    Config config() {
        return new ConfigBuilder(cluster.client().getConfiguration())
                .withNamespace("ml")
                .build();
    }

    Result run(String... args) {
        return run(clients(), args);
    }

    /** Clients for this server; they share one Vert.x, so that opening one per command stays cheap in tests. */
    Clients clients() {
        return context -> new KubernetesClientBuilder()
                .withConfig(config())
                .withHttpClientFactory(HTTP)
                .build();
    }

    static Result run(Clients clients, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = FledgeCommand.run(env(clients, out, err), args);
        return new Result(List.of(args), code, out.toString(), err.toString());
    }

    /** Clients for this server, the fixed clock, output into the given writers, not a terminal. */
    CliEnv env(StringWriter out, StringWriter err) {
        return env(clients(), out, err);
    }

    static CliEnv env(Clients clients, StringWriter out, StringWriter err) {
        return new CliEnv(
                clients, Clock.fixed(NOW, ZoneOffset.UTC), new PrintWriter(out), new PrintWriter(err), false, false);
    }

    @Override
    public void close() {
        cluster.close();
    }

    /** What one command line printed, and its exit code. */
    record Result(List<String> args, int code, String out, String err) {
        /** The transcript recorded in a golden file. */
        String transcript() {
            StringBuilder s = new StringBuilder("$ kubectl fledge ")
                    .append(String.join(" ", args))
                    .append('\n');
            s.append("# exit ").append(code).append('\n');
            s.append(out);
            if (!err.isEmpty()) {
                s.append("# stderr\n").append(err);
            }
            return s.toString();
        }
    }
}
