package dev.fledge.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.spec.Router;
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
