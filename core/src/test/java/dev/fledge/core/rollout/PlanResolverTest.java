package dev.fledge.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fledge.api.spec.AnalysisSpec;
import dev.fledge.api.spec.ConfigMapKeyRef;
import dev.fledge.api.spec.MetricSpec;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.spec.SafetySpec;
import dev.fledge.api.spec.StageName;
import dev.fledge.api.spec.StageSpec;
import dev.fledge.api.spec.SuiteSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlanResolverTest {
    final PlanResolver resolver = new PlanResolver(Duration.ofMinutes(1));

    static ModelReleaseSpec spec() {
        return new ModelReleaseSpec()
                .withModel(new ModelSpec().withName("a").withVersion("2.0.0").withUri("file:///m"));
    }

    @Test
    void anEmptySpecGetsTheDocumentedDefaults() {
        Plan p = resolver.resolve(spec());
        assertThat(p.stages()).extracting(StagePlan::stage).containsExactly(Stage.INTERNAL, Stage.CLOSED, Stage.PUBLIC);
        assertThat(p.stage(Stage.INTERNAL).orElseThrow().minDuration()).isEqualTo(Duration.ofMinutes(10));
        assertThat(p.stage(Stage.CLOSED).orElseThrow().minDuration()).isEqualTo(Duration.ofMinutes(30));
        assertThat(p.stage(Stage.PUBLIC).orElseThrow().steps()).containsExactly(5, 25, 50, 100);
        assertThat(p.stage(Stage.PUBLIC).orElseThrow().stepDuration()).isEqualTo(Duration.ofMinutes(10));
        assertThat(p.progressDeadline()).isEqualTo(Duration.ofHours(2));
        assertThat(p.interval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(p.replicas()).isEqualTo(2);
        assertThat(p.gates()).isEmpty();
    }

    @Test
    void stagesAndGatesComeFromTheSpec() {
        Plan p = resolver.resolve(spec().withStages(List.of(
                        new StageSpec().withName(StageName.CLOSED).withMinDuration("90s"),
                        new StageSpec()
                                .withName(StageName.PUBLIC)
                                .withSteps(List.of(50, 100))
                                .withStepDuration("1h30m")))
                .withAnalysis(new AnalysisSpec()
                        .withInterval("15s")
                        .withMetrics(
                                List.of(new MetricSpec().withName("error-rate").withFailureLimit(3)))
                        .withSafety(new SafetySpec()
                                .withSuite(new SuiteSpec().withConfigMapRef(new ConfigMapKeyRef().withName("s"))))));
        assertThat(p.stages()).extracting(StagePlan::stage).containsExactly(Stage.CLOSED, Stage.PUBLIC);
        assertThat(p.stage(Stage.CLOSED).orElseThrow().minDuration()).isEqualTo(Duration.ofSeconds(90));
        assertThat(p.stage(Stage.PUBLIC).orElseThrow().stepDuration()).isEqualTo(Duration.ofMinutes(90));
        assertThat(p.interval()).isEqualTo(Duration.ofSeconds(15));
        assertThat(p.gates()).containsExactly(new GatePlan("error-rate", 3, false), new GatePlan("safety", 1, true));
        assertThat(p.gatesFor(Stage.PREFLIGHT)).extracting(GatePlan::name).containsExactly("safety");
        assertThat(p.after(Stage.PREFLIGHT).orElseThrow().stage()).isEqualTo(Stage.CLOSED);
        assertThat(p.after(Stage.PUBLIC)).isEmpty();
    }

    @Test
    void goDurationsParseLikeGo() {
        assertThat(GoDuration.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(GoDuration.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(GoDuration.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThatThrownBy(() -> GoDuration.parse("10 minutes")).hasMessageContaining("not a duration");
    }
}
