package dev.fledge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * A public step whose split is not in place yet (the canary growing for its share, a route not accepted), or a stage
 * whose routes do not carry its audience yet, has {@code status.stepWaitingSince}: {@code get} says it has not
 * started, not that it is due at the next reconcile.
 */
class KubectlFledgeStepNotStartedTest {

    @Test
    void getSaysAPublicStepWaitingForItsSplitHasNotStarted() throws IOException {
        try (CliHarness cli = new CliHarness()) {
            ModelRelease mr = cli.client()
                    .resources(ModelRelease.class)
                    .inNamespace("ml")
                    .withName("summarizer")
                    .get();
            mr.getStatus().setStepWaitingSince(mr.getStatus().getStepStartedAt());
            cli.client().resource(mr).updateStatus();

            CliHarness.Result r = cli.run("get", "summarizer");
            assertThat(r.code()).isZero();
            assertThat(r.out())
                    .contains("not started: waiting for its split to be in place")
                    .contains("Next: public 100% (step 3 of 3) ")
                    .contains(" after this step's split is in place (the canary ready, the routes carrying 50%)")
                    .doesNotContain("at the operator's next reconcile");
        }
    }

    @Test
    void getSaysAStageWaitingForItsRoutesHasNotStarted() throws IOException {
        try (CliHarness cli = new CliHarness()) {
            ModelRelease mr = cli.client()
                    .resources(ModelRelease.class)
                    .inNamespace("ml")
                    .withName("assistant")
                    .get();
            assertThat(mr.getStatus().getStage()).isEqualTo("closed");
            mr.getStatus().setStepWaitingSince(mr.getStatus().getStageStartedAt());
            cli.client().resource(mr).updateStatus();

            CliHarness.Result r = cli.run("get", "assistant", "-n", "ml");
            assertThat(r.code()).isZero();
            assertThat(r.out())
                    .contains(
                            "closed      current   not started: waiting for the canary to be ready and its routes to carry its audience")
                    .contains("Next: stage public ")
                    .contains(" after this stage's routes carry its audience (every route accepted by its Gateway)")
                    .doesNotContain("at least 30m0s");
        }
    }
}
