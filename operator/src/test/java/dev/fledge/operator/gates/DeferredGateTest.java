package dev.fledge.operator.gates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AnalysisSpec;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.status.Verdict;
import dev.fledge.core.rollout.GateVerdict;
import dev.fledge.core.rollout.PlanResolver;
import dev.fledge.core.rollout.Stage;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A deferred reading's verdict says when Prometheus was read, whichever pass takes it. */
class DeferredGateTest {
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T12:00:00Z"));
    final List<String> woken = new CopyOnWriteArrayList<>();
    final List<Instant> evaluatedAt = new CopyOnWriteArrayList<>();
    final FairWorkers workers = new FairWorkers(1, 1, "test-read");

    @AfterEach
    void stop() {
        workers.close();
    }

    @Test
    void anAnswerTakenByALaterPassCarriesTheTimeItWasRead() {
        DeferredReads reads = new DeferredReads(workers, clock(), woken::add); // no wait: a later pass takes it
        DeferredGate gate = new DeferredGate(passingGate(), "metric", reads);
        GateContext asked = context(now.get());

        assertThat(gate.poll(asked))
                .hasValueSatisfying(v -> assertThat(v.reason()).startsWith(GateVerdict.EVALUATING));
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.contains("ml/assistant"));

        now.set(now.get().plusSeconds(40)); // the woken pass comes late (a long queue)
        GateVerdict taken = gate.poll(context(now.get())).orElseThrow();
        assertThat(taken.verdict()).isEqualTo(Verdict.PASS);
        assertThat(evaluatedAt).hasSize(1);
        assertThat(taken.readAt())
                .as("read when the worker evaluated it, from the asking pass's now, not the taking pass's")
                .isEqualTo(evaluatedAt.get(0).truncatedTo(java.time.temporal.ChronoUnit.MILLIS))
                .isBetween(asked.now(), asked.now().plusSeconds(5));
    }

    private Gate passingGate() {
        return new Gate() {
            @Override
            public String name() {
                return "error-rate";
            }

            @Override
            public GateVerdict evaluate(GateContext c) {
                evaluatedAt.add(c.now());
                return GateVerdict.pass(name(), "metric", "0.1% < 1%");
            }
        };
    }

    private static GateContext context(Instant at) {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(new ObjectMetaBuilder()
                .withName("assistant")
                .withNamespace("ml")
                .withUid("u1")
                .withGeneration(1L)
                .build());
        mr.setSpec(new ModelReleaseSpec()
                .withModel(new ModelSpec()
                        .withName("assistant")
                        .withVersion("2.0.0")
                        .withUri("file:///m"))
                .withAnalysis(new AnalysisSpec().withInterval("1m")));
        return new GateContext(
                mr,
                new PlanResolver(Duration.ofMinutes(1)).resolve(mr.getSpec()),
                Stage.CLOSED,
                "closed",
                "1.0.0",
                "2.0.0",
                at);
    }

    private Clock clock() {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
    }
}
