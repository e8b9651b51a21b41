package dev.fledge.server.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.fledge.server.config.FledgeConfig;
import dev.fledge.server.support.FixtureModels;
import dev.fledge.server.support.ModelZip;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code s3://} models from an S3-compatible store whose TLS certificate comes from a private CA (a self-signed
 * certificate for 127.0.0.1 made by keytool each run): trusted through {@code fledge.model.ca-file}
 * ({@code FLEDGE_MODEL_CA_FILE}, mounted at /certs) in addition to the JVM's trust store, as {@code https://}
 * downloads are; refused with a clear TLS error without it or with another CA. The store is a loopback HTTPS server
 * that answers the SDK's path-style GetObject; auth is not checked (S3ModelStoreTest covers S3 itself, on moto).
 */
class S3PrivateCaTest {
    private static final char[] PASSWORD = "fledge-test".toCharArray();
    private static final String SECRET = "s3-secret-of-the-test";

    @TempDir
    static Path keys;

    @TempDir
    Path tmp;

    private static HttpsServer server;
    private static Path caFile;
    private static Path otherCaFile;
    private static byte[] archive;
    private static final AtomicInteger gets = new AtomicInteger();

    @BeforeAll
    static void startStore() throws Exception {
        Path keyStore = selfSigned("server");
        caFile = export(keyStore, "server");
        otherCaFile = export(selfSigned("other"), "other");
        archive = ModelZip.of(FixtureModels.model("v1"));

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
        server.createContext("/models/assistant/1.0.0.zip", exchange -> {
            gets.incrementAndGet();
            exchange.getResponseHeaders().add("Content-Type", "application/zip");
            exchange.getResponseHeaders().add("ETag", "\"fledge\"");
            exchange.sendResponseHeaders(200, archive.length);
            exchange.getResponseBody().write(archive);
            exchange.close();
        });
        server.start();
    }

    @AfterAll
    static void stopStore() {
        server.stop(0);
    }

    @Test
    void anS3StoreWithAPrivateCaIsTrustedThroughTheCaFile() throws Exception {
        Path dir = locator(Optional.of(caFile))
                .resolve("s3://models/assistant/1.0.0.zip", Optional.of(ModelZip.sha256(archive)));
        assertThat(dir.resolve(ModelDescriptor.FILE_NAME)).exists();
        assertThat(Files.readAllBytes(dir.resolve("vocabulary.txt")))
                .isEqualTo(Files.readAllBytes(FixtureModels.model("v1").resolve("vocabulary.txt")));
    }

    @Test
    void withoutTheCaFileOrWithAnotherCaTheStoreIsRefusedWithAClearTlsError() throws Exception {
        int before = gets.get();
        for (Optional<Path> trust : List.of(Optional.<Path>empty(), Optional.of(otherCaFile))) {
            assertThatThrownBy(() -> locator(trust).resolve("s3://models/assistant/1.0.0.zip", Optional.empty()))
                    .as("trusting %s", trust)
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("TLS handshake")
                    .hasMessageContaining("fledge.model.ca-file")
                    .hasMessageNotContaining(SECRET);
        }
        assertThat(gets.get()).as("no object was served without trust").isEqualTo(before);
    }

    private ModelLocator locator(Optional<Path> trust) throws Exception {
        Path id = Files.writeString(tmp.resolve("access-key-id"), "test-key-id");
        Path secret = Files.writeString(tmp.resolve("secret-access-key"), SECRET);
        FledgeConfig.S3Config config = new FledgeConfig.S3Config() {
            public Optional<String> endpoint() {
                return Optional.of("https://127.0.0.1:" + server.getAddress().getPort());
            }

            public String region() {
                return "us-east-1";
            }

            public Optional<Boolean> pathStyle() {
                return Optional.empty();
            }

            public Optional<String> accessKeyIdFile() {
                return Optional.of(id.toString());
            }

            public Optional<String> secretAccessKeyFile() {
                return Optional.of(secret.toString());
            }
        };
        return new ModelLocator(tmp.resolve("cache"), Map.of("s3", new S3ArchiveFetcher(config, trust)));
    }

    private static Path selfSigned(String alias) throws Exception {
        Path keyStore = keys.resolve(alias + ".p12");
        keytool(
                "-genkeypair",
                "-alias",
                alias,
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
        return keyStore;
    }

    private static Path export(Path keyStore, String alias) throws Exception {
        Path pem = keys.resolve(alias + ".pem");
        keytool(
                "-exportcert",
                "-rfc",
                "-alias",
                alias,
                "-keystore",
                keyStore.toString(),
                "-storepass",
                new String(PASSWORD),
                "-file",
                pem.toString());
        return pem;
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
}
