package dev.fledge.server.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.fledge.server.support.FixtureModels;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code https://} model URIs against a real local HTTPS server whose self-signed certificate (for 127.0.0.1 and
 * localhost) is made by keytool for each run of the class: trusted through {@code fledge.model.ca-file}, refused without it.
 */
class HttpsModelDownloadTest {
    private static final char[] PASSWORD = "fledge-test".toCharArray();

    @TempDir
    static Path keys;

    @TempDir
    Path tmp;

    private static HttpsServer server;
    private static Path caFile;
    private static byte[] archive;
    private static final AtomicInteger downloads = new AtomicInteger();

    @BeforeAll
    static void startHttpsServer() throws Exception {
        Path keyStore = keys.resolve("server.p12");
        caFile = keys.resolve("ca.pem");
        keytool(
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-validity",
                "2",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=dns:localhost,ip:127.0.0.1",
                "-storetype",
                "PKCS12",
                "-keystore",
                keyStore.toString(),
                "-storepass",
                new String(PASSWORD));
        keytool(
                "-exportcert",
                "-rfc",
                "-alias",
                "server",
                "-keystore",
                keyStore.toString(),
                "-storepass",
                new String(PASSWORD),
                "-file",
                caFile.toString());
        archive = zipOfFixtureModel();

        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            ks.load(in, PASSWORD);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/models/v1.zip", exchange -> {
            downloads.incrementAndGet();
            exchange.getResponseHeaders().add("Content-Type", "application/zip");
            exchange.sendResponseHeaders(200, archive.length);
            exchange.getResponseBody().write(archive);
            exchange.close();
        });
        server.createContext("/models/stalls.zip", exchange -> {
            exchange.sendResponseHeaders(200, 10 * 1024 * 1024);
            exchange.getResponseBody().write(new byte[1024]);
            exchange.getResponseBody().flush();
            await(release);
            exchange.close();
        });
        server.createContext("/models/trickles.zip", exchange -> {
            exchange.sendResponseHeaders(200, 10 * 1024 * 1024);
            try {
                while (release.getCount() > 0) {
                    exchange.getResponseBody().write(new byte[1]);
                    exchange.getResponseBody().flush();
                    Thread.sleep(50);
                }
            } catch (InterruptedException | java.io.IOException e) {
                // the client went away
            }
            exchange.close();
        });
        server.createContext("/models/redirects.zip", exchange -> {
            exchange.getResponseHeaders().add("Location", "http://[zz/m.zip?sig=REDIRECT-SECRET");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    private static final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);

    private static void await(java.util.concurrent.CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @AfterAll
    static void stop() {
        release.countDown();
        server.stop(0);
    }

    @BeforeEach
    void countFromZero() {
        downloads.set(0);
    }

    private static String uri() {
        return "https://127.0.0.1:" + server.getAddress().getPort() + "/models/v1.zip";
    }

    private ModelLocator locator(Optional<Path> ca) {
        return new ModelLocator(tmp.resolve("cache"), new HttpsArchiveFetcher(ca));
    }

    @Test
    void downloadsOverHttpsVerifiesTheChecksumAndLoadsTheModel() throws Exception {
        Path dir = locator(Optional.of(caFile)).resolve(uri(), Optional.of(sha256(archive)));
        assertThat(ModelDescriptor.read(dir).architecture()).isEqualTo("word-lstm-lm");
        try (ServedModel model = new ModelLoader(1, 0, Duration.ofSeconds(5), 1).load(dir)) {
            assertThat(((TextModel) model)
                            .complete("the garden", 4, 0, 1, () -> {})
                            .completionTokens())
                    .isEqualTo(4);
        }
        assertThat(downloads).hasValue(1);
    }

    @Test
    void aWrongChecksumIsRefusedAndNothingIsCached() throws Exception {
        String wrong = "ab".repeat(32);
        assertThatThrownBy(() -> locator(Optional.of(caFile)).resolve(uri(), Optional.of(wrong)))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("sha256 mismatch")
                .hasMessageContaining("expected " + wrong)
                .hasMessageContaining("got " + sha256(archive));
        Path dir = locator(Optional.of(caFile)).resolve(uri(), Optional.of(sha256(archive)));
        assertThat(ModelDescriptor.read(dir).architecture()).isEqualTo("word-lstm-lm");
        assertThat(downloads).hasValue(2);
    }

    @Test
    void aDownloadThatStallsFailsAfterTheIdleTimeoutAndLeavesNothingBehind() {
        var limits = new DownloadLimits(1L << 30, 1L << 30, 100, 100, Duration.ofMillis(500), Duration.ofHours(1));
        var locator = new ModelLocator(
                tmp.resolve("cache"),
                java.util.Map.of("https", new HttpsArchiveFetcher(Optional.of(caFile), Duration.ofMillis(500))),
                limits);
        long start = System.nanoTime();
        assertThatThrownBy(() -> locator.resolve(uri().replace("v1.zip", "stalls.zip"), Optional.empty()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("no data for PT0.5S (fledge.model.download-idle-timeout)");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(tmp.resolve("cache").toFile().list()).isEmpty();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void aDownloadThatTricklesFailsAtTheOverallDeadline() {
        var limits = new DownloadLimits(1L << 30, 1L << 30, 100, 100, Duration.ofSeconds(5), Duration.ofSeconds(1));
        var locator = new ModelLocator(
                tmp.resolve("cache"),
                java.util.Map.of("https", new HttpsArchiveFetcher(Optional.of(caFile), Duration.ofSeconds(5))),
                limits);
        long start = System.nanoTime();
        assertThatThrownBy(() -> locator.resolve(uri().replace("v1.zip", "trickles.zip"), Optional.empty()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("longer than PT1S (fledge.model.download-timeout)");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(tmp.resolve("cache").toFile().list()).isEmpty();
    }

    @Test
    void aMalformedRedirectLocationIsAnErrorThatDoesNotQuoteIt() {
        String origin = uri().replace("v1.zip", "redirects.zip") + "?sig=ORIGIN-SECRET";
        assertThatThrownBy(() -> locator(Optional.of(caFile)).resolve(origin, Optional.empty()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("cannot download model from " + uri().replace("v1.zip", "redirects.zip"))
                .hasMessageNotContaining("SECRET")
                .hasMessageNotContaining("[zz");
        assertThat(tmp.resolve("cache").toFile().list()).isNullOrEmpty();
    }

    @Test
    void anUntrustedCertificateIsRefusedByDefault() {
        assertThatThrownBy(() -> locator(Optional.empty()).resolve(uri(), Optional.of(sha256(archive))))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("cannot download model from " + uri())
                .hasMessageContaining("TLS handshake failed")
                .hasMessageContaining("fledge.model.ca-file");
        assertThat(downloads).hasValue(0);
    }

    @Test
    void aMissingOrEmptyCaFileIsAClearError() throws Exception {
        Path empty = Files.writeString(tmp.resolve("empty.pem"), "");
        for (Path bad : List.of(tmp.resolve("missing.pem"), empty)) {
            assertThatThrownBy(() -> new HttpsArchiveFetcher(Optional.of(bad)))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("fledge.model.ca-file=" + bad);
        }
    }

    private static void keytool(String... args) throws Exception {
        var command = new ArrayList<String>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue())
                .as("keytool " + String.join(" ", args) + ": " + output)
                .isZero();
    }

    /** The v1 fixture model zipped inside one top-level directory, as a registry would serve it. */
    private static byte[] zipOfFixtureModel() throws Exception {
        Path model = FixtureModels.model("v1");
        var bytes = new ByteArrayOutputStream();
        try (var zip = new ZipOutputStream(bytes);
                var files = Files.list(model)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                zip.putNextEntry(new ZipEntry("v1/" + file.getFileName()));
                zip.write(Files.readAllBytes(file));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
