package dev.fledge.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AnalysisSpec;
import dev.fledge.api.spec.MetricSpec;
import dev.fledge.api.spec.MetricTemplate;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.spec.PriorSpec;
import dev.fledge.api.spec.Router;
import dev.fledge.api.spec.SafetySpec;
import dev.fledge.api.spec.ServerProfile;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.spec.StageName;
import dev.fledge.api.spec.StageSpec;
import dev.fledge.api.spec.TrafficSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpecValidatorTest {
    final SpecValidator validator = new SpecValidator();

    static ModelRelease release(String name, ModelReleaseSpec spec) {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(
                new ObjectMetaBuilder().withName(name).withNamespace("ml").build());
        mr.setSpec(spec);
        return mr;
    }

    static ModelReleaseSpec valid() {
        return new ModelReleaseSpec()
                .withModel(new ModelSpec().withName("a").withVersion("1").withUri("file:///m"));
    }

    @Test
    void aValidSpecHasNoErrors() {
        assertThat(validator.validate(release("assistant", valid()))).isEmpty();
    }

    @Test
    void aShadowStageStoredBeforeItsRulesIsRefusedWithoutTheGatewayRouterTheSafetyGateOrItsSources() {
        var spec = valid().withStages(List.of(
                new StageSpec().withName(StageName.PUBLIC), new StageSpec().withName(StageName.SHADOW)));
        assertThat(validator.validate(release("assistant", spec)))
                .containsExactlyInAnyOrder(
                        "spec.stages[1]: the shadow stage needs the gatewayAPI router (spec.traffic.gatewayAPI): only an"
                                + " HTTPRoute can mirror requests to the canary",
                        "spec.stages[1]: the shadow stage needs spec.analysis.safety: it passes on the judged outputs"
                                + " to mirrored requests, not on time",
                        "spec.stages[1].mirrorFrom: required in the shadow stage (public, internal or both)",
                        "spec.stages[1]: the shadow stage must be the first stage");
    }

    @Test
    void errorsNameTheirField() {
        var spec = valid().withProgressDeadline("soon")
                .withTraffic(new TrafficSpec().withRouter(Router.GATEWAY_API))
                .withStages(List.of(
                        new StageSpec().withName(StageName.PUBLIC).withSteps(List.of(50, 25)),
                        new StageSpec().withName(StageName.PUBLIC)));
        spec.getModel().setUri(null);
        assertThat(validator.validate(release("x".repeat(60), spec)))
                .containsExactlyInAnyOrder(
                        "metadata.name: at most 54 characters, so that " + "x".repeat(60)
                                + "-internal is a valid Service name",
                        "spec.model.uri: required",
                        "spec.progressDeadline: not a duration (e.g. 90s, 10m, 1h30m): soon",
                        "spec.stages[0].steps: weights must be strictly ascending between 1 and 100",
                        "spec.stages[0].steps: must end at 100",
                        "spec.stages[1].name: duplicate stage public",
                        "spec.traffic.gatewayAPI: required when router is gatewayAPI");
    }

    /** A prior stored before the CRD bounded it: a huge one would make the safety gate's design costly. */
    @Test
    void aSafetyPriorAboveTheCrdBoundIsInvalid() {
        var huge = valid().withAnalysis(new AnalysisSpec()
                .withSafety(new SafetySpec()
                        .withPrior(new PriorSpec().withAlpha(1e-9).withBeta(1e9))));
        assertThat(validator.validate(release("a", huge)))
                .containsExactly("spec.analysis.safety.prior.beta: must be above 0 and at most 10000, got 1.0E9");
        var bound = valid().withAnalysis(new AnalysisSpec()
                .withSafety(new SafetySpec()
                        .withPrior(new PriorSpec().withAlpha(1.0).withBeta(10000.0))));
        assertThat(validator.validate(release("a", bound))).isEmpty();
    }

    /** Issue 17 part 4: a built-in template the server profile has no metric for is refused, naming both. */
    @Test
    void aTemplateTheServerProfileCannotProvideIsRefusedNamingProfileAndTemplate() {
        var metrics = List.of(
                new MetricSpec()
                        .withName("errors")
                        .withTemplate(MetricTemplate.ERROR_RATE)
                        .withMax(0.01),
                new MetricSpec()
                        .withName("ttft")
                        .withTemplate(MetricTemplate.TTFT_P99)
                        .withMax(0.5),
                new MetricSpec().withName("own").withQuery("vector(0)").withMax(1.0));
        var tgi = valid().withServer(new ServerSpec().withProfile(ServerProfile.TGI))
                .withAnalysis(new AnalysisSpec().withMetrics(metrics));

        assertThat(validator.validate(release("a", tgi)))
                .singleElement()
                .asString()
                .startsWith("spec.analysis.metrics[1].template: server profile tgi has no metric for template ttft-p99")
                .contains("error-rate, latency-p99, tpot-p99, queue-depth");
        assertThat(validator.validate(release("a", tgi.withServer(new ServerSpec().withProfile(ServerProfile.VLLM)))))
                .isEmpty();
        assertThat(validator.validate(release("a", tgi.withServer(null))))
                .singleElement()
                .asString()
                .contains("server profile fledge has no metric for template ttft-p99");
    }

    @Test
    void scaleDownDelayIsADurationOfAtMostAnHour() {
        assertThat(validator.validate(release("a", valid().withTraffic(new TrafficSpec().withScaleDownDelay("0s")))))
                .isEmpty();
        assertThat(validator.validate(release("a", valid().withTraffic(new TrafficSpec().withScaleDownDelay("1h")))))
                .isEmpty();
        assertThat(validator.validate(
                        release("a", valid().withTraffic(new TrafficSpec().withScaleDownDelay("1h0m1s")))))
                .containsExactly("spec.traffic.scaleDownDelay: at most 1h");
        assertThat(validator.validate(release("a", valid().withTraffic(new TrafficSpec().withScaleDownDelay("soon")))))
                .containsExactly("spec.traffic.scaleDownDelay: not a duration (e.g. 90s, 10m, 1h30m): soon");
    }

    @Test
    void aMissingSpecIsReportedNotThrown() {
        assertThat(validator.validate(release("a", null))).containsExactly("spec: required");
    }
}
