package dev.fledge.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.status.GateResult;
import dev.fledge.api.status.Phase;
import dev.fledge.api.status.Verdict;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class OperatorMetricsTest {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final OperatorMetrics metrics = new OperatorMetrics(registry);

    Gauge gauge(String name, String gate) {
        return registry.find(name)
                .tags("namespace", "ml", "release", "assistant", "gate", gate)
                .gauge();
    }

    @Test
    void bayesianGateEvidenceBecomesGaugesAndGoesAwayWithTheGate() {
        metrics.gates(
                "ml",
                "assistant",
                List.of(
                        new GateResult()
                                .withName("safety")
                                .withVerdict(Verdict.PASS)
                                .withSamples(412L)
                                .withUpperBound(0.0071)
                                .withPAboveMax(0.012),
                        new GateResult()
                                .withName("error-rate")
                                .withVerdict(Verdict.PASS)
                                .withValue(0.001)));

        assertThat(gauge("fledge_gate_posterior_upper", "safety").value()).isEqualTo(0.0071);
        assertThat(gauge("fledge_gate_p_above_max", "safety").value()).isEqualTo(0.012);
        assertThat(gauge("fledge_gate_samples", "safety").value()).isEqualTo(412);
        assertThat(gauge("fledge_gate_posterior_upper", "error-rate"))
                .as("a metric gate has no posterior")
                .isNull();

        metrics.gates(
                "ml", "assistant", List.of(new GateResult().withName("safety").withUpperBound(0.02)));
        assertThat(gauge("fledge_gate_posterior_upper", "safety").value()).isEqualTo(0.02);
        assertThat(gauge("fledge_gate_samples", "safety").value()).isNaN();

        metrics.gates("ml", "assistant", null);
        assertThat(gauge("fledge_gate_posterior_upper", "safety")).isNull();
        metrics.gates(
                "ml", "assistant", List.of(new GateResult().withName("safety").withUpperBound(0.03)));
        assertThat(gauge("fledge_gate_posterior_upper", "safety").value())
                .as("registered again")
                .isEqualTo(0.03);
    }

    @Test
    void theDeadlineGaugeHoldsUnixSecondsOrZero() {
        metrics.deadline("ml", "assistant", Instant.parse("2026-11-28T14:00:00Z"));
        Gauge g = registry.find("fledge_release_progress_deadline_timestamp_seconds")
                .tags("namespace", "ml", "release", "assistant")
                .gauge();
        assertThat(g.value()).isEqualTo(Instant.parse("2026-11-28T14:00:00Z").getEpochSecond());

        metrics.deadline("ml", "assistant", null);
        assertThat(g.value()).isZero();
    }

    @Test
    void notificationsAreCountedByResult() {
        metrics.notification(OperatorMetrics.NOTIFICATION_SENT);
        metrics.notification(OperatorMetrics.NOTIFICATION_SENT);
        metrics.notification(OperatorMetrics.NOTIFICATION_DROPPED);

        assertThat(registry.find("fledge_notifications")
                        .tag("result", "sent")
                        .counter()
                        .count())
                .isEqualTo(2);
        assertThat(registry.find("fledge_notifications")
                        .tag("result", "dropped")
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void aDeletedReleasesMetersGoAndNoOtherReleasesDo() {
        for (String release : List.of("assistant", "assistant-2")) {
            metrics.observe("ml", release, Phase.PROGRESSING, 25);
            metrics.deadline("ml", release, Instant.parse("2026-11-28T14:00:00Z"));
            metrics.transition("ml", release, "internal", "closed");
            metrics.gates(
                    "ml", release, List.of(new GateResult().withName("safety").withUpperBound(0.01)));
        }
        metrics.observe("other", "assistant", Phase.PROGRESSING, 50);

        metrics.forget("ml", "assistant");

        assertThat(registry.getMeters())
                .as("nothing of ml/assistant is left")
                .noneMatch(m -> "ml".equals(m.getId().getTag("namespace"))
                        && "assistant".equals(m.getId().getTag("release")));
        assertThat(registry.find("fledge_release_transitions")
                        .tags("namespace", "ml", "release", "assistant-2")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.find("fledge_gate_posterior_upper")
                        .tags("namespace", "ml", "release", "assistant-2", "gate", "safety")
                        .gauge()
                        .value())
                .isEqualTo(0.01);
        assertThat(registry.find("fledge_release_canary_weight")
                        .tags("namespace", "other", "release", "assistant")
                        .gauge()
                        .value())
                .isEqualTo(50);

        metrics.observe("ml", "assistant", Phase.PROGRESSING, 100);
        assertThat(registry.find("fledge_release_canary_weight")
                        .tags("namespace", "ml", "release", "assistant")
                        .gauge()
                        .value())
                .as("a release made again under the same name is measured again")
                .isEqualTo(100);
    }
}
