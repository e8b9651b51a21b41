package dev.fledge.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.ModelRelease;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code get NAME --watch}: a new view for each change of the release, until interrupted. */
class KubectlFledgeWatchTest {

    @Test
    void watchRedrawsWhenTheOperatorAdvancesTheStep() throws Exception {
        try (CliHarness cli = new CliHarness()) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            AtomicInteger code = new AtomicInteger(-1);
            Thread watching =
                    new Thread(() -> code.set(FledgeCommand.run(cli.env(out, err), "get", "summarizer", "-w")));
            watching.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> out.toString().contains("Next: public 100%"));

            ModelRelease mr = cli.client()
                    .resources(ModelRelease.class)
                    .inNamespace("ml")
                    .withName("summarizer")
                    .get();
            mr.getStatus()
                    .withStep(2)
                    .withCanaryWeight(100)
                    .withStepStartedAt(CliHarness.NOW.toString())
                    .withMessage("rolling out 1.4.0: public 100%");
            cli.client().resource(mr).updateStatus();
            await().atMost(Duration.ofSeconds(20)).until(() -> out.toString().contains("Traffic (canary weight 100%)"));

            watching.interrupt();
            watching.join(10_000);
            assertThat(watching.isAlive()).isFalse();
            assertThat(code.get()).isZero();
            assertThat(err.toString()).isEmpty();
            Golden.check(
                    "get-watch", "$ kubectl fledge get summarizer -w   (the operator then advances to step 3)\n" + out);
        }
    }

    @Test
    void watchEndsWithAnErrorWhenTheReleaseIsDeleted() throws IOException {
        try (CliHarness cli = new CliHarness()) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            AtomicInteger code = new AtomicInteger(-1);
            Thread watching =
                    new Thread(() -> code.set(FledgeCommand.run(cli.env(out, err), "get", "assistant", "--watch")));
            watching.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> out.toString().contains("ModelRelease ml/assistant"));
            cli.client()
                    .resources(ModelRelease.class)
                    .inNamespace("ml")
                    .withName("assistant")
                    .delete();
            await().atMost(Duration.ofSeconds(20)).until(() -> !watching.isAlive());
            assertThat(code.get()).isEqualTo(1);
            assertThat(err.toString()).isEqualTo("error: modelrelease \"assistant\" not found in namespace \"ml\"\n");
        }
    }
}
