package dev.fledge.e2e.cluster;

import static org.awaitility.Awaitility.await;

import dev.fledge.e2e.local.FreePort;
import dev.fledge.e2e.local.ManagedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Test harness, not product: a real S3-compatible server for the cluster tier, moto's {@code moto_server} (PyPI
 * {@code moto[server]}, installed by {@code make moto}), as a process in the node's network namespace (as the test JVM
 * is) listening on the node's address, where the pods reach it (the node's loopback is not theirs). Objects go in by
 * plain HTTP PUTs: moto does not check signatures, and answers a read without credentials with 403, so a model server
 * that loads an object from it had credentials of some kind. Stopped by {@link #close} or at the JVM's exit
 * ({@link ManagedProcess}).
 */
final class ClusterS3 implements AutoCloseable {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final ManagedProcess process;
    private final String host;
    private final int port;

    private ClusterS3(ManagedProcess process, String host, int port) {
        this.process = process;
        this.host = host;
        this.port = port;
    }

    /** Starts moto on {@code host} (the node's address, {@link ClusterChart#nodeIp}), its log in {@code logDir}. */
    static ClusterS3 start(String host, Path logDir) {
        int port = FreePort.get();
        Path log = logDir.resolve("moto.log");
        ManagedProcess process;
        try {
            process = ManagedProcess.start(
                    "moto", List.of("moto_server", "-H", host, "-p", Integer.toString(port)), Map.of(), logDir);
        } catch (UncheckedIOException e) {
            throw new IllegalStateException(
                    "moto_server is not installed; run `make moto` (pip install 'moto[server]==5.2.5')", e);
        }
        try {
            await("moto_server listening on " + host + ":" + port + " (log: " + log + ")")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        if (!process.alive()) {
                            throw new IllegalStateException("moto_server exited; see " + log);
                        }
                        return listening(host, port);
                    });
        } catch (RuntimeException e) {
            process.close();
            throw e;
        }
        return new ClusterS3(process, host, port);
    }

    private static boolean listening(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    /** The endpoint as a release names it in {@code spec.model.s3.endpoint}. */
    String endpoint() {
        return "http://" + host + ":" + port;
    }

    /** Creates {@code bucket} (if it is not there) and puts {@code content} at {@code key}. */
    void put(String bucket, String key, byte[] content) {
        send("PUT", "/" + bucket, HttpRequest.BodyPublishers.noBody());
        // moto reads a body of another type as a form and refuses it
        int status = send("PUT", "/" + bucket + "/" + key, HttpRequest.BodyPublishers.ofByteArray(content));
        if (status != 200) {
            throw new IllegalStateException("moto answered " + status + " to the PUT of " + bucket + "/" + key);
        }
    }

    /** The status of a read of {@code bucket/key} without credentials. */
    int anonymousGet(String bucket, String key) {
        return send("GET", "/" + bucket + "/" + key, HttpRequest.BodyPublishers.noBody());
    }

    private int send(String method, String path, HttpRequest.BodyPublisher body) {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create(endpoint() + path))
                                    .timeout(Duration.ofSeconds(30))
                                    .header("Content-Type", "application/octet-stream")
                                    .method(method, body)
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        process.close();
    }
}
