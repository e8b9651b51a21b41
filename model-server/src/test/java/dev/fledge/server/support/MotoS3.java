package dev.fledge.server.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * A real S3-compatible server on loopback: moto's ({@code moto_server}, from PyPI; {@code make moto} installs it).
 * Started per test class, stopped at the end.
 */
public final class MotoS3 implements AutoCloseable {
    public static final String KEY_ID = "AKIAFLEDGETEST";
    public static final String SECRET = "fledge-test-secret-do-not-print";
    private final Process process;
    private final int port;

    private MotoS3(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static MotoS3 start() throws Exception {
        int port = PackagedServer.freePort();
        Path log = Path.of("target/it-logs/moto.log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        Process process;
        try {
            process = new ProcessBuilder("moto_server", "-H", "127.0.0.1", "-p", Integer.toString(port))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "moto_server is not installed; run `make moto`" + " (pip install 'moto[server]==5.2.5')", e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy, "stop-moto"));
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return new MotoS3(process, port);
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("moto_server exited: " + Files.readString(log));
                }
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("moto_server did not listen within 60 s");
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** Creates the bucket if needed and uploads the object. */
    public void put(String bucket, String key, byte[] content) {
        try (S3Client s3 = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .endpointOverride(URI.create(endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY_ID, SECRET)))
                .serviceConfiguration(
                        S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build()) {
            if (s3.listBuckets().buckets().stream().noneMatch(b -> b.name().equals(bucket))) {
                s3.createBucket(b -> b.bucket(bucket));
            }
            s3.putObject(p -> p.bucket(bucket).key(key), RequestBody.fromBytes(content));
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
