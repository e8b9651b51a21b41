package dev.fledge.e2e.apiserver;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.UnaryOperator;

/**
 * A real {@code kube-apiserver} + {@code etcd} (Fabric8 kube-api-test), one per test JVM.
 *
 * <p>The binaries come from {@code make kube-binaries} (e2e/kube/kube-binaries.sh) and are
 * used offline. Only where they are missing does kube-api-test download them, which needs
 * the internet. The server is started on first use and stopped when the JVM exits, so the
 * suites share its ~10 s start; each suite works in its own namespace.
 */
public final class RealApiServer {

    private static final int STARTUP_TIMEOUT_MILLIS = 180_000;
    private static RealApiServer shared;

    private final KubeAPIServer server;
    private final KubernetesClient client;

    private RealApiServer(KubeAPIServer server) {
        this.server = server;
        this.client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(server.getKubeConfigYaml()))
                .build();
    }

    /** The API server of this test JVM, started on first call. */
    public static synchronized RealApiServer shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "stop-kube-apiserver"));
        }
        return shared;
    }

    /**
     * An API server of the caller's own, for a test that must change what the shared one holds for every suite (a CRD
     * of another version, say); {@link #close()} stops it.
     */
    public static RealApiServer dedicated() {
        return start();
    }

    /** Stops a {@link #dedicated()} server. */
    public void close() {
        stop();
    }

    /** An admin client (the client certificate kube-api-test generates is in system:masters). */
    public KubernetesClient client() {
        return client;
    }

    /** A client for another kubeconfig user on the same server, e.g. for impersonation. */
    public KubernetesClient clientWith(UnaryOperator<Config> customizer) {
        return new KubernetesClientBuilder()
                .withConfig(customizer.apply(Config.fromKubeconfig(server.getKubeConfigYaml())))
                .build();
    }

    public String kubeConfigYaml() {
        return server.getKubeConfigYaml();
    }

    private static RealApiServer start() {
        String version = System.getProperty("fledge.kube.version", "1.34.4");
        String dir = KubeBinaries.directory().toString();
        boolean local = KubeBinaries.present(version);
        var config = KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withTestDir(dir)
                .withApiServerVersion(version)
                // set in code: the KUBE_API_TEST_OFFLINE_MODE variable crashes (ClassCastException)
                .withOfflineMode(local)
                .withStartupTimeout(STARTUP_TIMEOUT_MILLIS)
                .build();
        var server = new KubeAPIServer(config);
        // the e2e module runs several test JVMs (e2e/pom.xml): one starts at a time, so that the certificates
        // kube-api-test writes into the shared directory on first use, and the free ports it picks, are not raced for
        try (FileChannel lockFile = FileChannel.open(
                        Files.createDirectories(Path.of(dir)).resolve(".fledge-start.lock"),
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE);
                FileLock ignored = lockFile.lock()) {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new RealApiServer(server);
    }

    private void stop() {
        client.close();
        server.stop();
    }

    /** Where kube-api-test and e2e/kube/kube-binaries.sh keep the binaries. */
    static final class KubeBinaries {
        private KubeBinaries() {}

        static Path directory() {
            String env = System.getenv("KUBE_API_TEST_DIR");
            return env != null && !env.isBlank()
                    ? Path.of(env)
                    : Path.of(System.getProperty("user.home"), ".kubeapitest");
        }

        static boolean present(String version) {
            Path bin = directory().resolve("k8s").resolve(version + "-linux-amd64");
            return Files.isExecutable(bin.resolve("kube-apiserver"))
                    && Files.isExecutable(bin.resolve("etcd"))
                    && Files.isExecutable(bin.resolve("kubectl"));
        }
    }
}
