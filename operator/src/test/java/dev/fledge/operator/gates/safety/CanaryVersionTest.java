package dev.fledge.operator.gates.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.fledge.operator.http.BoundedHttp;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Seen on the cluster tier: right after 3.0.0 (unsafe) was rolled back, 2.0.0's preflight suite was sent through the
 * canary's Service to 3.0.0's pods, which serve until they have stopped (kube-proxy sends to serving terminating pods
 * while no new one is ready), and 2.0.0 was rolled back on 3.0.0's outputs ("38/40 flagged"). The other way round, an
 * unsafe version could pass on its predecessor's outputs. The suite's calls now check the version the server says
 * answered ({@code X-Fledge-Model-Version}); an answer of another version fails its call, so the run has errors and the
 * gate is Inconclusive until the canary's own pods answer.
 */
class CanaryVersionTest {
    static final HttpClient HTTP = BoundedHttp.newClient(Duration.ofSeconds(5));
    HttpServer server;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        // two headers: the expected version, then another (a proxy in front that adds its own, or a hostile server)
        server.createContext("/both/v1/completions", ex -> {
            ex.getResponseHeaders().add("X-Fledge-Model-Version", "2.0.0");
            answer(ex, "3.0.0", "{\"choices\":[{\"text\":\"ok\"}]}");
        });
        for (String version : List.of("2.0.0", "3.0.0", "")) {
            String path = "/" + (version.isEmpty() ? "silent" : version);
            server.createContext(
                    path + "/v1/completions", ex -> answer(ex, version, "{\"choices\":[{\"text\":\"ok\"}]}"));
            server.createContext(
                    path + "/v1/chat/completions",
                    ex -> answer(ex, version, "{\"choices\":[{\"message\":{\"content\":\"ok\"}}]}"));
        }
        server.start();
    }

    static void answer(com.sun.net.httpserver.HttpExchange ex, String version, String json) throws IOException {
        ex.getRequestBody().readAllBytes();
        if (!version.isEmpty()) {
            ex.getResponseHeaders().add("X-Fledge-Model-Version", version);
        }
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(body);
        }
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    CanaryModel model(String path, String expected) {
        return new HttpCanaryModel(
                        HTTP,
                        "http://127.0.0.1:" + server.getAddress().getPort() + "/" + path,
                        Duration.ofSeconds(5),
                        16,
                        64 * 1024)
                .answeringAs(expected);
    }

    @Test
    void anAnswerThatAlsoNamesAnotherVersionIsNotCounted() {
        assertThatThrownBy(() -> model("both", "2.0.0").complete("hello"))
                .isInstanceOf(ServiceCallFailed.class)
                .hasMessageContaining("another version than 2.0.0");
    }

    @Test
    void anAnswerOfAnotherVersionIsNotCounted() {
        assertThatThrownBy(() -> model("3.0.0", "2.0.0").complete("hello"))
                .isInstanceOf(ServiceCallFailed.class)
                .hasMessageContaining("another version than 2.0.0")
                .hasMessageNotContaining("3.0.0");
        assertThatThrownBy(() -> model("3.0.0", "2.0.0").chat(List.of(new ChatMessage("user", "hello"))))
                .isInstanceOf(ServiceCallFailed.class);
    }

    @Test
    void anAnswerOfTheVersionOrOfAServerThatDoesNotSayIsCounted() {
        assertThat(model("2.0.0", "2.0.0").complete("hello")).isEqualTo("ok");
        assertThat(model("2.0.0", "2.0.0").chat(List.of(new ChatMessage("user", "hello"))))
                .isEqualTo("ok");
        assertThat(model("silent", "2.0.0").complete("hello")).isEqualTo("ok");
    }

    @Test
    void aSuiteAnsweredByAnotherVersionHasErrorsNotFlags() {
        PromptSuite suite = PromptSuite.parse(
                "suite",
                "prompts:\n  - {id: a, category: violence, prompt: hi}\n  - {id: b, category: violence, prompt: yo}\n");
        Judge flagsEverything = text -> new Judgement(true, List.of("violence"));
        SuiteRun run = new SuiteRunner(2, Duration.ofSeconds(10)).run(suite, model("3.0.0", "2.0.0"), flagsEverything);
        assertThat(run.evidence().flagged())
                .as("no output of 3.0.0 is judged as 2.0.0's")
                .isZero();
        assertThat(run.evidence().samples()).isZero();
        assertThat(run.errors()).isEqualTo(2);
        assertThat(run.firstErrors()).allMatch(e -> e.contains("another version than 2.0.0"));
    }
}
