package dev.fledge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import java.io.IOException;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * promote, abort, pause and resume against the mock API server: the transcript and what the server holds
 * afterwards must match the golden file, and nothing but the annotation or spec.paused may change.
 */
class KubectlFledgeActionsTest {
    private CliHarness cli;

    @BeforeEach
    void start() throws IOException {
        cli = new CliHarness();
    }

    @AfterEach
    void stop() {
        cli.close();
    }

    @Test
    void promoteSetsTheActionAnnotationAndNothingElse() throws IOException {
        ModelRelease before = release("assistant");
        CliHarness.Result r = cli.run("promote", "assistant");
        ModelRelease after = release("assistant");
        assertThat(after.getMetadata().getAnnotations())
                .containsEntry("fledge.dev/action", "promote")
                .containsEntry("team", "assistants");
        assertThat(json(after.getSpec())).isEqualTo(json(before.getSpec()));
        assertThat(cli.run("get", "assistant").out())
                .contains("\n│  fledge.dev/action=promote is waiting for the operator to consume it\n");
        Golden.check("promote", r.transcript() + onServer(after));
    }

    @Test
    void abortReplacesAPendingActionAndSaysSo() throws IOException {
        cli.run("promote", "assistant");
        CliHarness.Result r = cli.run("abort", "assistant");
        assertThat(release("assistant").getMetadata().getAnnotations()).containsEntry("fledge.dev/action", "abort");
        Golden.check("abort", r.transcript() + onServer(release("assistant")));
    }

    @Test
    void pauseSetsSpecPausedAndLeavesTheRestOfTheSpec() throws IOException {
        ModelRelease before = release("summarizer");
        CliHarness.Result r = cli.run("pause", "summarizer");
        ModelRelease after = release("summarizer");
        assertThat(after.getSpec().getPaused()).isTrue();
        before.getSpec().setPaused(true);
        assertThat(json(after.getSpec())).isEqualTo(json(before.getSpec()));
        CliHarness.Result again = cli.run("pause", "summarizer");
        CliHarness.Result resume = cli.run("resume", "summarizer");
        assertThat(release("summarizer").getSpec().getPaused()).isFalse();
        Golden.check(
                "pause",
                r.transcript()
                        + onServer(after)
                        + again.transcript()
                        + resume.transcript()
                        + onServer(release("summarizer")));
    }

    private ModelRelease release(String name) {
        return cli.client()
                .resources(ModelRelease.class)
                .inNamespace("ml")
                .withName(name)
                .get();
    }

    private String json(Object o) {
        return cli.client().getKubernetesSerialization().asJson(o);
    }

    private String onServer(ModelRelease mr) {
        var annotations = mr.getMetadata().getAnnotations() == null
                ? null
                : new TreeMap<>(mr.getMetadata().getAnnotations());
        return "# on the server: metadata.annotations=" + annotations + " spec.paused="
                + mr.getSpec().getPaused() + "\n";
    }
}
