package dev.fledge.operator.gates.safety;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.fledge.api.spec.ConfigMapKeyRef;
import dev.fledge.api.spec.JudgeSpec;
import dev.fledge.api.spec.SafetySpec;
import dev.fledge.api.spec.SuiteSpec;
import dev.fledge.core.rollout.GateVerdict;
import dev.fledge.operator.http.OutboundPolicy;
import dev.fledge.operator.http.ServiceLookup;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, finding 6, DNS rebinding: the judge's name resolves to its Service's cluster IP when the operator checks
 * it, and to loopback when the operator would connect. The request must go to the address that was checked.
 *
 * <p>The JDK client resolves names itself, so the test puts a "network" between it and the servers: the client's
 * proxy, which receives every request with its URL and delivers it where that URL's host resolves at that moment,
 * loopback for the name, itself for an address. The judge is the operator's own ({@link ModerationJudge}).
 */
class JudgeDnsRebindingTest {
    static final String CLUSTER_IP = "10.0.0.1";

    final AtomicInteger atLoopback = new AtomicInteger();
    final AtomicInteger atClusterIp = new AtomicInteger();
    HttpServer network;
    HttpClient http;

    @BeforeEach
    void start() throws IOException {
        network = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        network.createContext("/", ex -> {
            String host = ex.getRequestURI().getHost();
            // at connect time the name answers loopback (the rebinding); an address is itself
            InetAddress to = host != null && host.equals(CLUSTER_IP)
                    ? InetAddress.getByName(CLUSTER_IP)
                    : InetAddress.getLoopbackAddress();
            (to.isLoopbackAddress() ? atLoopback : atClusterIp).incrementAndGet();
            byte[] body = "{\"results\":[{\"flagged\":false,\"categories\":{}}]}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        network.start();
        http = HttpClient.newBuilder()
                .proxy(ProxySelector.of(network.getAddress()))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    @AfterEach
    void stop() {
        network.stop(0);
    }

    @Test
    void aJudgeNameThatRebindsToLoopbackAfterTheCheckNeverGetsTheRequest() {
        OutboundPolicy policy = new OutboundPolicy(
                List.of(),
                Optional.of("fledge-system"),
                // what the operator's resolver answers when it checks: the Service's cluster IP
                host -> new InetAddress[] {InetAddress.getByName(CLUSTER_IP)},
                (ns, name) -> Optional.of(new ServiceLookup.Facts("ClusterIP", true, List.of(CLUSTER_IP))));
        SafetySpec spec = new SafetySpec()
                .withMaxHarmRate(0.01)
                .withSuite(new SuiteSpec()
                        .withConfigMapRef(
                                new ConfigMapKeyRef().withName("suite").withKey("prompts.yaml")))
                .withJudge(new JudgeSpec().withUrl("http://guard.ml.svc:8080/v1/moderations"));
        SafetyGate gate = new SafetyGate(
                spec,
                new SafetyGate.SafetyCollaborators(
                        (ns, ref) -> PromptSuite.parse(ref.getName(), SafetyGateTest.SUITE),
                        mr -> "http://canary",
                        url -> p -> "fine",
                        (url, timeout) -> new ModerationJudge(http, url, timeout, 65536),
                        new SafetySettings(Optional.empty(), 16, SafetyLimits.standard(), policy),
                        Optional.empty(),
                        (release, r) -> "report"));

        GateVerdict v = gate.evaluate(SafetyGateTest.ctx(spec, "internal"));

        assertThat(atLoopback).hasValue(0);
        assertThat(atClusterIp).hasValue(50);
        assertThat(v.reason()).doesNotContain("could not be run or judged");
    }
}
