package dev.fledge.operator.gates.safety;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.fledge.operator.http.BoundedHttp;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A judge's or canary's URL may carry a token in its query: error texts (status, events) show only its path. */
class JudgeErrorTextTest {
    static final HttpClient HTTP = BoundedHttp.newClient(Duration.ofSeconds(5));
    HttpServer server;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/moderations", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(500, -1);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void aFailingJudgeIsNamedWithoutItsQueryOrUserInfo() {
        String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/moderations";
        ModerationJudge judge = new ModerationJudge(
                HTTP,
                "http://user:PASS-SECRET@127.0.0.1:" + server.getAddress().getPort()
                        + "/v1/moderations?token=QUERY-SECRET#FRAG-SECRET",
                Duration.ofSeconds(2),
                64 * 1024);

        assertThatThrownBy(() -> judge.judge("some output"))
                .isInstanceOf(ServiceCallFailed.class)
                .hasMessage("judge at " + base + " answered HTTP 500")
                .hasMessageNotContaining("SECRET");
    }
}
