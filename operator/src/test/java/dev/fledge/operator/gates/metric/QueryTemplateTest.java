package dev.fledge.operator.gates.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fledge.api.spec.MetricSpec;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueryTemplateTest {

    @Test
    void everyVariableIsFilledFromTheGateContext() {
        var mr = GateContexts.release(
                new MetricSpec().withName("m").withQuery("q").withMax(1.0));
        String q = new QueryTemplate(
                        "{{release}} {{namespace}} {{canaryVersion}} {{stableVersion}} {{stage}} {{audience}} {{interval}}")
                .render(MetricGate.variables(GateContexts.closedStage(mr)));
        assertThat(q).isEqualTo("assistant ml 2.0.0 1.0.0 closed closed 120s");
    }

    @Test
    void spacesInsideBracesAreAllowed() {
        assertThat(new QueryTemplate("x{r=\"{{ release }}\"}").render(Map.of("release", "a")))
                .isEqualTo("x{r=\"a\"}");
    }

    @Test
    void valuesAreEscapedForPromQlStrings() {
        assertThat(new QueryTemplate("{v=\"{{canaryVersion}}\"}").render(Map.of("canaryVersion", "2\"} or up{x=\"\\")))
                .isEqualTo("{v=\"2\\\"} or up{x=\\\"\\\\\"}");
    }

    @Test
    void aMissingValueRendersEmpty() {
        assertThat(new QueryTemplate("{s=\"{{stableVersion}}\"}").render(Map.of()))
                .isEqualTo("{s=\"\"}");
    }

    @Test
    void unknownVariablesAreNamed() {
        assertThatThrownBy(() -> new QueryTemplate("{{relase}} {{foo}}").render(Map.of()))
                .hasMessageContaining("[relase, foo]");
    }

    @Test
    void latencyTemplateIsAP99OverTheCanaryHistogram() {
        String q = new QueryTemplate(BuiltInQueries.LATENCY_P99)
                .render(Map.of("namespace", "ml", "release", "assistant", "canaryVersion", "2.0.0", "interval", "60s"));
        assertThat(q)
                .isEqualTo(
                        "histogram_quantile(0.99, sum by (le) (rate(fledge_model_request_duration_seconds_bucket{"
                                + "namespace=\"ml\",release=\"assistant\",track=\"canary\",version=\"2.0.0\",audience!=\"evaluation\"}[60s])))");
    }

    @Test
    void intervalIsWholeSecondsAndAtLeastOne() {
        assertThat(MetricGate.promDuration(Duration.ofMillis(1500))).isEqualTo("1s");
        assertThat(MetricGate.promDuration(Duration.ofMillis(10))).isEqualTo("1s");
        assertThat(MetricGate.promDuration(Duration.ofMinutes(5))).isEqualTo("300s");
    }
}
