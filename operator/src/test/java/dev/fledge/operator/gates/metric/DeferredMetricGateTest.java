package dev.fledge.operator.gates.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.spec.MetricSpec;
import dev.fledge.api.status.Verdict;
import dev.fledge.core.rollout.GateVerdict;
import dev.fledge.operator.gates.DeferredGate;
import dev.fledge.operator.gates.DeferredReads;
import dev.fledge.operator.gates.FairWorkers;
import dev.fledge.operator.gates.GateContext;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A metric gate evaluated off the reconcile thread, as the operator wires it ({@code AnalysisGates}). */
class DeferredMetricGateTest {
    final List<String> woken = new CopyOnWriteArrayList<>();
    final FairWorkers workers = new FairWorkers(2, 1, "test-read");
    final DeferredReads reads = new DeferredReads(workers, Clock.systemUTC(), woken::add);
    final AtomicReference<QueryResult> errorRate = new AtomicReference<>(new QueryResult.Value(0.0));

    @AfterEach
    void stop() {
        workers.close();
    }

    @Test
    void thePassThatSendsTheEvaluationRecordsInconclusiveSoNoStageEndsOnAnOlderPass() {
        MetricSpec spec =
                new MetricSpec().withName("error-rate").withQuery("errors").withMax(0.01);
        GateContext ctx = GateContexts.closedStage(GateContexts.release(spec));
        DeferredGate gate = new DeferredGate(new MetricGate(spec, q -> errorRate.get()), MetricGate.KIND, reads);

        Optional<GateVerdict> sending = gate.poll(ctx);
        assertThat(sending).hasValueSatisfying(v -> {
            assertThat(v.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
            assertThat(v.kind()).isEqualTo(MetricGate.KIND);
            assertThat(v.reason()).startsWith("evaluating: asked Prometheus at ");
        });

        await().atMost(Duration.ofSeconds(5)).until(() -> woken.contains("ml/assistant"));
        assertThat(gate.poll(ctx)).hasValueSatisfying(v -> {
            assertThat(v.verdict()).isEqualTo(Verdict.PASS);
            assertThat(v.value()).isEqualTo(0.0);
        });
        assertThat(gate.poll(ctx))
                .as("recorded once; nothing sent again within the interval")
                .isEmpty();
    }

    @Test
    void aFailIsRecordedByOnePassOnly() {
        MetricSpec spec =
                new MetricSpec().withName("error-rate").withQuery("errors").withMax(0.01);
        GateContext ctx = GateContexts.closedStage(GateContexts.release(spec));
        DeferredGate gate = new DeferredGate(new MetricGate(spec, q -> errorRate.get()), MetricGate.KIND, reads);
        errorRate.set(new QueryResult.Value(0.5));

        gate.poll(ctx);
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.size() == 1);
        List<Verdict> recorded = new java.util.ArrayList<>();
        for (int pass = 0; pass < 5; pass++) {
            gate.poll(ctx).ifPresent(v -> recorded.add(v.verdict()));
        }
        assertThat(recorded).containsExactly(Verdict.FAIL);
    }
}
