package dev.fledge.operator.gates.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AnalysisSpec;
import dev.fledge.api.spec.FeedbackSpec;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.status.Verdict;
import dev.fledge.core.rollout.GateVerdict;
import dev.fledge.core.rollout.PlanResolver;
import dev.fledge.core.rollout.Stage;
import dev.fledge.operator.gates.GateContext;
import dev.fledge.operator.gates.metric.QueryResult;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeedbackGateTest {
    final FeedbackSpec spec = new FeedbackSpec().withMaxNegativeRate(0.2);
    final List<String> queries = new ArrayList<>();

    GateVerdict evaluate(long total, long negative) {
        return new FeedbackGate(spec, q -> {
                    queries.add(q);
                    return new QueryResult.Value(q.contains("negative") ? negative : total);
                })
                .evaluate(ctx());
    }

    static GateContext ctx() {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(new ObjectMetaBuilder()
                .withName("assistant")
                .withNamespace("ml")
                .build());
        mr.setSpec(new ModelReleaseSpec()
                .withModel(new ModelSpec().withName("a").withVersion("2.0.0").withUri("file:///m"))
                .withAnalysis(new AnalysisSpec()));
        return new GateContext(
                mr,
                new PlanResolver(Duration.ofMinutes(1)).resolve(mr.getSpec()),
                Stage.CLOSED,
                "closed",
                "1.0.0",
                "2.0.0",
                Instant.now());
    }

    @Test
    void fewNegativeRatingsPass() {
        GateVerdict v = evaluate(200, 10);
        assertThat(v.verdict()).isEqualTo(Verdict.PASS);
        assertThat(v.samples()).isEqualTo(200);
        assertThat(v.flagged()).isEqualTo(10);
        assertThat(queries)
                .allSatisfy(q -> assertThat(q).contains("release=\"assistant\",version=\"2.0.0\",audience=\"closed\""));
    }

    @Test
    void manyNegativeRatingsFail() {
        assertThat(evaluate(100, 40).verdict()).isEqualTo(Verdict.FAIL);
    }

    @Test
    void littleFeedbackIsInconclusive() {
        assertThat(evaluate(5, 1).verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(evaluate(0, 0).verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    }

    @Test
    void prometheusDownIsInconclusive() {
        GateVerdict v =
                new FeedbackGate(spec, q -> new QueryResult.Unusable("Prometheus is unreachable")).evaluate(ctx());
        assertThat(v.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(v.reason()).contains("unreachable");
    }
}
