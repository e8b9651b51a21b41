package dev.fledge.e2e.local;

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
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Test harness, not product: a real S3-compatible server on loopback, moto's {@code moto_server} (PyPI
 * {@code moto[server]}, installed by {@code make moto}). Objects go in by plain HTTP PUTs: moto does not check
 * signatures, and answers a read without credentials with 403, so a model server that loads an object from it had
 * credentials of some kind.
 */
final class LocalS3 implements AutoCloseable {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final ManagedProcess process;
    private final int port;

    private LocalS3(ManagedProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    static LocalS3 start(Path logDir) {
        int port = FreePort.get();
        ManagedProcess process;
        try {
            process = ManagedProcess.start(
                    "moto", List.of("moto_server", "-H", "127.0.0.1", "-p", Integer.toString(port)), Map.of(), logDir);
        } catch (UncheckedIOException e) {
            throw new IllegalStateException(
                    "moto_server is not installed; run `make moto` (pip install 'moto[server]==5.2.5')", e);
        }
        Instant end = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(end)) {
            if (!process.alive()) {
                throw new IllegalStateException("moto_server exited; see " + process.log);
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return new LocalS3(process, port);
            } catch (IOException notYet) {
                ManagedProcess.pause(100);
            }
        }
        process.close();
        throw new IllegalStateException("moto_server did not listen within 60 s; see " + process.log);
    }

    String endpoint() {
        return "http://127.0.0.1:" + port;
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
