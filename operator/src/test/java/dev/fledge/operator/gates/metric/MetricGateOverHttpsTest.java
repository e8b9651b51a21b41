package dev.fledge.operator.gates.metric;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.fledge.api.spec.MetricSpec;
import dev.fledge.api.spec.MetricTemplate;
import dev.fledge.api.status.Verdict;
import dev.fledge.core.rollout.GateVerdict;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metric gate against a Prometheus-shaped HTTPS endpoint with a certificate made for this test. */
class MetricGateOverHttpsTest {
    @TempDir
    Path dir;

    HttpsServer server;
    SelfSignedTls serverCert;
    final List<String> authorizations = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        serverCert = SelfSignedTls.create(dir, "prometheus");
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(serverCert.serverContext()));
        server.createContext("/api/v1/query", ex -> {
            ex.getRequestBody().readAllBytes();
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            authorizations.add(auth == null ? "" : auth);
            byte[] b = FakePrometheus.vector("0.004").getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(b);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    String url() {
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    GateVerdict evaluate(PrometheusSettings settings) {
        MetricSpec spec = new MetricSpec()
                .withName("error-rate")
                .withTemplate(MetricTemplate.ERROR_RATE)
                .withMax(0.01);
        return new MetricGate(spec, new HttpPrometheus(settings))
                .evaluate(GateContexts.closedStage(GateContexts.release(spec)));
    }

    @Test
    void aCertificateSignedByTheConfiguredCaIsTrustedAndTheTokenSent() {
        GateVerdict v = evaluate(new PrometheusSettings(
                url(), Optional.of("s3cret"), Duration.ofSeconds(30), Optional.of(serverCert.caPem.toString()), false));
        assertThat(v.verdict()).isEqualTo(Verdict.PASS);
        assertThat(v.value()).isEqualTo(0.004);
        assertThat(authorizations).containsExactly("Bearer s3cret");
    }

    @Test
    void aCertificateNotSignedByTheConfiguredCaIsInconclusiveWithATlsReason() throws Exception {
        SelfSignedTls other = SelfSignedTls.create(dir, "someone-else");
        GateVerdict v = evaluate(new PrometheusSettings(
                url(), Optional.of("s3cret"), Duration.ofSeconds(30), Optional.of(other.caPem.toString()), false));
        assertThat(v.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(v.reason()).contains("TLS to Prometheus at " + url() + " failed", "caFile");
        assertThat(authorizations)
                .as("no request, so no token, reached the untrusted server")
                .isEmpty();
    }

    @Test
    void aSelfSignedCertificateIsNotTrustedByTheJvmDefaults() {
        GateVerdict v = evaluate(PrometheusSettings.of(url()).withTimeout(Duration.ofSeconds(30)));
        assertThat(v.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(v.reason()).contains("TLS to Prometheus at " + url() + " failed");
    }
}
