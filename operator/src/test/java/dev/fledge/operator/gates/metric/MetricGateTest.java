package dev.fledge.operator.gates.metric;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.MetricSpec;
import dev.fledge.api.spec.MetricTemplate;
import dev.fledge.api.spec.NoDataPolicy;
import dev.fledge.api.status.Verdict;
import dev.fledge.core.rollout.GateVerdict;
import dev.fledge.core.rollout.PlanResolver;
import dev.fledge.core.rollout.Stage;
import dev.fledge.operator.gates.GateContext;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The metric gate against a stand-in Prometheus: thresholds, no data, and every way a query can go wrong. */
class MetricGateTest {
    FakePrometheus prom;

    @BeforeEach
    void start() throws IOException {
        prom = new FakePrometheus();
    }

    @AfterEach
    void stop() {
        prom.close();
    }

    GateVerdict evaluate(MetricSpec spec) {
        return evaluate(spec, PrometheusSettings.of(prom.url()));
    }

    GateVerdict evaluate(MetricSpec spec, PrometheusSettings settings) {
        GateContext ctx = GateContexts.closedStage(GateContexts.release(spec));
        return new MetricGate(spec, new HttpPrometheus(settings)).evaluate(ctx);
    }

    static MetricSpec errorRate() {
        return new MetricSpec()
                .withName("error-rate")
                .withTemplate(MetricTemplate.ERROR_RATE)
                .withMax(0.01);
    }

    GateVerdict evaluateEvery(String analysisInterval, PrometheusSettings settings) {
        ModelRelease mr = GateContexts.release(errorRate());
        mr.getSpec().getAnalysis().setInterval(analysisInterval);
        return new MetricGate(errorRate(), new HttpPrometheus(settings)).evaluate(GateContexts.closedStage(mr));
    }

    @Test
    void anAnalysisIntervalShorterThanFourScrapesQueriesFourScrapes() {
        prom.body = FakePrometheus.vector("0.004");
        GateVerdict v =
                evaluateEvery("10s", PrometheusSettings.of(prom.url()).withScrapeInterval(Duration.ofSeconds(30)));

        assertThat(v.verdict()).isEqualTo(Verdict.PASS);
        assertThat(prom.queries).singleElement().asString().contains("[120s]").doesNotContain("[10s]");
    }

    @Test
    void anAnalysisIntervalLongerThanFourScrapesIsTheRange() {
        evaluateEvery("5m", PrometheusSettings.of(prom.url()).withScrapeInterval(Duration.ofSeconds(30)));

        assertThat(prom.queries).singleElement().asString().contains("[300s]");
    }

    @Test
    void aValueWithinMaxPassesWithTheValueAsEvidence() {
        prom.body = FakePrometheus.vector("0.004");
        GateVerdict v = evaluate(errorRate());
        assertThat(v.verdict()).isEqualTo(Verdict.PASS);
        assertThat(v.value()).isEqualTo(0.004);
        assertThat(v.kind()).isEqualTo("metric");
    }

    @Test
    void aValueAboveMaxFails() {
        prom.body = FakePrometheus.vector("0.2");
        GateVerdict v = evaluate(errorRate());
        assertThat(v.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(v.reason()).contains("above max 0.01");
        assertThat(v.value()).isEqualTo(0.2);
    }

    @Test
    void aValueBelowMinFails() {
        prom.body = FakePrometheus.vector("5");
        GateVerdict v = evaluate(new MetricSpec()
                .withName("throughput")
                .withQuery("sum(rate(x[1m]))")
                .withMin(10.0));
        assertThat(v.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(v.reason()).contains("below min 10.0");
    }

    @Test
    void aScalarResultIsRead() {
        prom.body = "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1764330000.0,\"0.5\"]}}";
        assertThat(evaluate(new MetricSpec()
                                .withName("m")
                                .withQuery("scalar(x)")
                                .withMax(1.0))
                        .verdict())
                .isEqualTo(Verdict.PASS);
    }

    @Test
    void infinityIsAValueNotAPass() {
        prom.body = FakePrometheus.vector("+Inf");
        assertThat(evaluate(new MetricSpec()
                                .withName("p99")
                                .withTemplate(MetricTemplate.LATENCY_P99)
                                .withMax(0.5))
                        .verdict())
                .isEqualTo(Verdict.FAIL);
    }

    @Test
    void noDataIsInconclusiveByDefault() {
        prom.body = FakePrometheus.vector();
        GateVerdict v = evaluate(errorRate());
        assertThat(v.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(v.reason()).contains("empty vector");
    }

    @Test
    void noDataFailsWhenTheMetricSaysSo() {
        prom.body = FakePrometheus.vector();
        assertThat(evaluate(errorRate().withNoData(NoDataPolicy.FAIL)).verdict())
                .isEqualTo(Verdict.FAIL);
    }

    @Test
    void nanFromARatioOverNoTrafficIsNoData() {
        prom.body = FakePrometheus.vector("NaN");
        GateVerdict v = evaluate(errorRate());
        assertThat(v.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(v.reason()).contains("NaN");
    }

    @Test
    void severalSeriesAreInconclusive() {
        prom.body = FakePrometheus.vector("0.001", "0.5");
        GateVerdict v = evaluate(errorRate());
        assertThat(v.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(v.reason()).contains("2 series");
    }

    @Test
    void aMatrixOrStringResultIsInconclusive() {
        prom.body = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}";
        assertThat(evaluate(errorRate()).reason()).contains("matrix");
        prom.body = "{\"status\":\"success\",\"data\":{\"resultType\":\"string\",\"result\":[1,\"x\"]}}";
        assertThat(evaluate(errorRate()).verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    }

    @Test
    void aQueryErrorIsInconclusiveWithoutEchoingPrometheusMessage() {
        prom.status = 400;
        prom.body = "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"parse error at char 5\"}";
        GateVerdict v = evaluate(errorRate());
        assertThat(v.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(v.reason()).contains("HTTP 400", "bad_data").doesNotContain("parse error");
    }

    @Test
    void aBodyThatIsNotJsonIsInconclusive() {
        prom.status = 502;
        prom.body = "<html>bad gateway</html>";
        GateVerdict v = evaluate(errorRate());
        assertThat(v.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(v.reason()).contains("HTTP 502", "not JSON");
    }

    @Test
    void aSuccessWithAValueThatIsNotANumberIsInconclusive() {
        prom.body = FakePrometheus.vector("abc");
        assertThat(evaluate(errorRate()).verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    }

    @Test
    void aSlowPrometheusTimesOutInconclusive() {
        prom.delayMillis = 1_000;
        prom.body = FakePrometheus.vector("0.0");
        GateVerdict v = evaluate(errorRate(), PrometheusSettings.of(prom.url()).withTimeout(Duration.ofMillis(200)));
        assertThat(v.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(v.reason()).contains("did not answer within");
    }

    @Test
    void anUnreachablePrometheusIsInconclusive() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        GateVerdict v = evaluate(
                errorRate(), PrometheusSettings.of("http://127.0.0.1:" + port).withTimeout(Duration.ofSeconds(2)));
        assertThat(v.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(v.reason()).contains("unreachable");
    }

    @Test
    void anUnresolvableHostIsInconclusive() {
        GateVerdict v = evaluate(
                errorRate(),
                PrometheusSettings.of("http://prometheus.invalid:9090").withTimeout(Duration.ofSeconds(2)));
        assertThat(v.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    }

    @Test
    void anUnknownTemplateVariableIsInconclusiveAndSendsNoQuery() {
        GateVerdict v = evaluate(new MetricSpec()
                .withName("m")
                .withQuery("x{model=\"{{modelName}}\"}")
                .withMax(1.0));
        assertThat(v.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(v.reason()).contains("modelName");
        assertThat(prom.queries).isEmpty();
    }

    @Test
    void theBearerTokenIsSent() {
        evaluate(errorRate(), PrometheusSettings.of(prom.url()).withBearerToken("s3cret"));
        assertThat(prom.authorizations).containsExactly("Bearer s3cret");
    }

    @Test
    void theBuiltInErrorRateCountsTheCanarysRefusalsOnlyInExcessOfTheStables() {
        evaluate(errorRate());
        String canary =
                "fledge_model_requests_total{namespace=\"ml\",release=\"assistant\",track=\"canary\",version=\"2.0.0\",audience!=\"evaluation\",";
        String stable =
                "fledge_model_requests_total{namespace=\"ml\",release=\"assistant\",track=\"stable\",version=\"1.0.0\",audience!=\"evaluation\",";
        String weighed = "outcome=~\"success|blocked|error|model_limit|rejected\"}[120s]";
        String refused = "outcome=~\"model_limit|rejected\"}[120s]";
        // server errors count outright; refusals only beyond the stable's share of them, audience by audience;
        // no errors reads 0 and no canary traffic stays no data (the denominator)
        assertThat(prom.queries)
                .singleElement()
                .satisfies(q -> assertThat(q)
                        .startsWith(
                                "((sum(rate(" + canary + "outcome=\"error\"}[120s])) or vector(0)) + sum(clamp_min(")
                        .contains("sum by (audience) (rate(" + canary + refused + "))")
                        .contains("sum by (audience) (rate(" + stable + refused + "))")
                        .contains("/ (sum by (audience) (rate(" + stable + weighed + ")) > 0))")
                        .endsWith(", 0))) / sum(rate(" + canary + weighed + "))"));
    }

    @Test
    void theBuiltInErrorRateWithoutAStableVersionCountsEveryRefusal() {
        ModelRelease mr = GateContexts.release(errorRate());
        GateContext first = new GateContext(
                mr,
                new PlanResolver(Duration.ofMinutes(1)).resolve(mr.getSpec()),
                Stage.CLOSED,
                "closed",
                null,
                "2.0.0",
                Instant.parse("2026-11-28T12:00:00Z"));
        new MetricGate(errorRate(), new HttpPrometheus(PrometheusSettings.of(prom.url()))).evaluate(first);
        // version="" selects no model server's series: the stable's share is the 0 of the canary's audiences
        assertThat(prom.queries)
                .singleElement()
                .satisfies(q -> assertThat(q).contains("version=\"\",").contains("> 0)) or (sum by (audience)"));
    }

    @Test
    void theBuiltInErrorRateAsksForTheCanaryOfThisRelease() {
        evaluate(errorRate());
        assertThat(prom.queries)
                .singleElement()
                .satisfies(q -> assertThat(q)
                        .contains(
                                "fledge_model_requests_total{namespace=\"ml\",release=\"assistant\",track=\"canary\",version=\"2.0.0\",audience!=\"evaluation\",outcome=\"error\"}[120s]")
                        .contains("or vector(0)"));
    }
}
