package dev.fledge.operator.gates.metric;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AnalysisSpec;
import dev.fledge.api.spec.MetricSpec;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.core.rollout.Plan;
import dev.fledge.core.rollout.PlanResolver;
import dev.fledge.core.rollout.Stage;
import dev.fledge.operator.gates.GateContext;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A release with some metrics, and the context its gates see in the closed stage. */
final class GateContexts {
    private GateContexts() {}

    static ModelRelease release(MetricSpec... metrics) {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(new ObjectMetaBuilder()
                .withName("assistant")
                .withNamespace("ml")
                .build());
        mr.setSpec(new ModelReleaseSpec()
                .withModel(new ModelSpec()
                        .withName("assistant")
                        .withVersion("2.0.0")
                        .withUri("file:///m"))
                .withAnalysis(new AnalysisSpec().withInterval("2m").withMetrics(List.of(metrics))));
        return mr;
    }

    static GateContext closedStage(ModelRelease mr) {
        Plan plan = new PlanResolver(Duration.ofMinutes(1)).resolve(mr.getSpec());
        return new GateContext(
                mr, plan, Stage.CLOSED, "closed", "1.0.0", "2.0.0", Instant.parse("2026-11-28T12:00:00Z"));
    }
}
