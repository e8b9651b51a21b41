package dev.fledge.operator.gates.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AnalysisSpec;
import dev.fledge.api.spec.FeedbackAudience;
import dev.fledge.api.spec.FeedbackSpec;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Verdict;
import dev.fledge.core.rollout.GateVerdict;
import dev.fledge.core.rollout.PlanResolver;
import dev.fledge.core.rollout.Stage;
import dev.fledge.operator.gates.GateContext;
import dev.fledge.operator.gates.metric.CounterEvidence;
import dev.fledge.operator.gates.metric.QueryResult;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
        return ctx(Stage.CLOSED, "closed");
    }

    static GateContext ctx(Stage stage, String audience) {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(new ObjectMetaBuilder()
                .withName("assistant")
                .withNamespace("ml")
                .build());
        mr.setSpec(new ModelReleaseSpec()
                .withModel(new ModelSpec().withName("a").withVersion("2.0.0").withUri("file:///m"))
                .withAnalysis(new AnalysisSpec()));
        Instant now = Instant.now();
        mr.setStatus(new ModelReleaseStatus()
                .withRolloutStartedAt(now.minusSeconds(600).toString()));
        return new GateContext(
                mr,
                new PlanResolver(Duration.ofMinutes(1)).resolve(mr.getSpec()),
                stage,
                audience,
                "1.0.0",
                "2.0.0",
                now);
    }

    @Test
    void fewNegativeRatingsPass() {
        GateVerdict v = evaluate(200, 10);
        assertThat(v.verdict()).isEqualTo(Verdict.PASS);
        assertThat(v.samples()).isEqualTo(200);
        assertThat(v.flagged()).isEqualTo(10);
        assertThat(queries)
                .allSatisfy(
                        q -> assertThat(q).contains("release=\"assistant\",version=\"2.0.0\",audience=~\"closed\""));
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

    /**
     * A stand-in for Prometheus that holds ratings by audience and answers a feedback query by its
     * {@code audience} matcher ({@code ="x"} or {@code =~"x|y"}) and whether it asks for negative ratings only.
     */
    static QueryResult ratings(String query, Map<String, long[]> byAudience) {
        Matcher m = Pattern.compile("audience(=~?)\"([^\"]*)\"").matcher(query);
        if (!m.find()) {
            throw new AssertionError("the feedback query selects no audience: " + query);
        }
        Pattern audiences = Pattern.compile(m.group(1).equals("=~") ? m.group(2) : Pattern.quote(m.group(2)));
        long sum = 0;
        boolean any = false;
        for (var e : byAudience.entrySet()) {
            if (audiences.matcher(e.getKey()).matches()) {
                any = true;
                sum += query.contains("rating=\"negative\"") ? e.getValue()[1] : e.getValue()[0];
            }
        }
        return any ? new QueryResult.Value(sum) : new QueryResult.NoData("no series");
    }

    /** The public floods the canary with praise; internal and closed users, still on it, mostly dislike it. */
    static final Map<String, long[]> FLOODED = Map.of(
            "internal", new long[] {60, 25},
            "closed", new long[] {40, 15},
            "public", new long[] {5000, 0});

    @Test
    void anonymousPublicFeedbackDoesNotCountByDefaultInThePublicStage() {
        GateVerdict v = new FeedbackGate(spec, q -> ratings(q, FLOODED)).evaluate(ctx(Stage.PUBLIC, "public"));
        assertThat(v.verdict()).as(v.reason()).isEqualTo(Verdict.FAIL);
        assertThat(v.samples()).as("internal and closed ratings only").isEqualTo(100);
        assertThat(v.flagged()).isEqualTo(40);
        assertThat(v.reason()).contains("internal, closed; public feedback not trusted");
    }

    @Test
    void publicFeedbackCountsWhenTheReleaseTrustsIt() {
        FeedbackSpec trusting =
                new FeedbackSpec().withMaxNegativeRate(0.2).withTrustedAudiences(List.of(FeedbackAudience.PUBLIC));
        GateVerdict v = new FeedbackGate(trusting, q -> ratings(q, FLOODED)).evaluate(ctx(Stage.PUBLIC, "public"));
        assertThat(v.verdict()).as(v.reason()).isEqualTo(Verdict.PASS);
        assertThat(v.samples()).isEqualTo(5000);
    }

    @Test
    void aTrustedStageCountsItsOwnAudienceOnly() {
        GateVerdict v = new FeedbackGate(spec, q -> ratings(q, FLOODED)).evaluate(ctx(Stage.CLOSED, "closed"));
        assertThat(v.samples()).isEqualTo(40);
        assertThat(v.flagged()).isEqualTo(15);
    }

    /**
     * A counter at {@code +Inf} (valid in the exposition format) or beyond any real count: rounded, it was
     * {@code Long.MAX_VALUE} ratings with few negative, a certain pass.
     */
    @Test
    void aRatingCountThatIsNotACountIsInconclusiveNotAPass() {
        for (double total : new double[] {Double.POSITIVE_INFINITY, 1e300}) {
            GateVerdict v = new FeedbackGate(spec, q -> new QueryResult.Value(q.contains("negative") ? 3 : total))
                    .evaluate(ctx());
            assertThat(v.verdict()).as("total %s: %s", total, v.reason()).isEqualTo(Verdict.INCONCLUSIVE);
            assertThat(v.reason()).contains("feedback counts unavailable", "not a count");
        }
        for (double negative : new double[] {Double.NEGATIVE_INFINITY, -3, 1e15 + 1}) {
            GateVerdict v = new FeedbackGate(spec, q -> new QueryResult.Value(q.contains("negative") ? negative : 500))
                    .evaluate(ctx());
            assertThat(v.verdict()).as("negative %s: %s", negative, v.reason()).isEqualTo(Verdict.INCONCLUSIVE);
            assertThat(v.reason()).contains("not a count");
        }
        GateVerdict atTheMaximum = new FeedbackGate(
                        spec, q -> new QueryResult.Value(q.contains("negative") ? 0 : CounterEvidence.MAX_COUNT))
                .evaluate(ctx());
        assertThat(atTheMaximum.samples()).as("1e15 is still a count").isEqualTo(1_000_000_000_000_000L);
    }

    @Test
    void theRatingsAreCountedOverTheRolloutAndWithoutItsStartTheGateIsInconclusive() {
        GateVerdict v = evaluate(200, 10);
        assertThat(queries)
                .as("from the rollout's start, 600 s ago (a backend with no scrape interval: no lead)")
                .allSatisfy(q -> assertThat(q).contains("[600s]", " offset 600s"));
        GateContext unknown = ctx();
        unknown.release().getStatus().setRolloutStartedAt(null);
        GateVerdict none = new FeedbackGate(spec, q -> new QueryResult.Value(100)).evaluate(unknown);
        assertThat(none.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(none.reason()).contains("status.rolloutStartedAt");
        assertThat(v.verdict()).isEqualTo(Verdict.PASS);
    }

    @Test
    void prometheusDownIsInconclusive() {
        GateVerdict v =
                new FeedbackGate(spec, q -> new QueryResult.Unusable("Prometheus is unreachable")).evaluate(ctx());
        assertThat(v.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(v.reason()).contains("unreachable");
    }
}
