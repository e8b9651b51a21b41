package dev.fledge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.ActionStatus;
import java.io.IOException;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * promote, abort, skip-stage, retry, pause and resume against the mock API server: the transcript and what the server
 * holds afterwards must match the golden file, and nothing but the annotation or spec.paused may change. An action
 * the operator has not read yet is never replaced silently, a pending abort never.
 */
class KubectlFledgeActionsTest {
    private static final String ACTION = "fledge.dev/action";
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
    void promoteSetsTheActionAnnotationWithANonceAndNothingElse() throws IOException {
        ModelRelease before = release("assistant");
        CliHarness.Result r = cli.run("promote", "assistant");
        ModelRelease after = release("assistant");
        assertThat(r.code()).isZero();
        assertThat(after.getMetadata().getAnnotations())
                .containsEntry("team", "assistants")
                .hasEntrySatisfying(ACTION, v -> assertThat(v).matches("promote:20261128T120000-[0-9]+"));
        assertThat(json(after.getSpec())).isEqualTo(json(before.getSpec()));
        assertThat(cli.run("get", "assistant").out())
                .contains("\n│  fledge.dev/action=" + action("assistant")
                        + " is waiting for the operator to consume it\n");
        Golden.check("promote", r.transcript() + onServer(after));
    }

    @Test
    void aPendingAbortIsNeverReplacedNotEvenWithForce() {
        annotate("assistant", "abort:1");

        CliHarness.Result promote = cli.run("promote", "assistant");
        CliHarness.Result forced = cli.run("skip-stage", "--force", "assistant");

        assertThat(action("assistant")).isEqualTo("abort:1");
        assertThat(promote.code()).isEqualTo(1);
        assertThat(promote.err()).contains("an abort is pending", "fledge.dev/action=abort:1", "never replaced");
        assertThat(forced.code()).isEqualTo(1);
        assertThat(forced.err()).contains("an abort is pending", "never replaced");
    }

    @Test
    void aSecondQuickSkipStageIsRefusedAndNamesThePendingOneInsteadOfBeingDropped() {
        CliHarness.Result first = cli.run("skip-stage", "assistant");
        String pending = action("assistant");

        CliHarness.Result second = cli.run("skip-stage", "assistant");

        assertThat(first.code()).isZero();
        assertThat(second.code()).isEqualTo(1);
        assertThat(second.err()).contains("fledge.dev/action=" + pending, "--force");
        assertThat(action("assistant")).isEqualTo(pending);
    }

    @Test
    void abortReplacesAPendingPromoteOnlyWithForceAndSaysSo() throws IOException {
        cli.run("promote", "assistant");
        String promote = action("assistant");
        CliHarness.Result refused = cli.run("abort", "assistant");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(action("assistant")).isEqualTo(promote);

        CliHarness.Result r = cli.run("abort", "--force", "assistant");

        assertThat(r.code()).isZero();
        assertThat(action("assistant")).startsWith("abort:").isNotEqualTo(promote);
        assertThat(r.out()).contains("replacing the pending " + promote);
        Golden.check("abort", refused.transcript() + r.transcript() + onServer(release("assistant")));
    }

    @Test
    void anActionRequestedAgainWhilePendingIsLeftAsItIs() {
        cli.run("abort", "assistant");
        String pending = action("assistant");

        CliHarness.Result again = cli.run("abort", "assistant");

        assertThat(again.code()).isZero();
        assertThat(again.out()).contains("already requested", pending);
        assertThat(action("assistant")).isEqualTo(pending);
    }

    @Test
    void anActionTheOperatorHasReadIsReplacedWithoutForce() {
        annotate("assistant", "abort:1");
        recordAsRead("assistant", "abort:1");

        assertThat(cli.run("get", "assistant").out()).doesNotContain("is waiting for the operator");

        CliHarness.Result promote = cli.run("promote", "assistant");

        assertThat(promote.code()).isZero();
        assertThat(action("assistant")).startsWith("promote:");
    }

    @Test
    void theWriteIsACompareAndSetSoAStaleReadNeverOverwritesAnActionWrittenMeanwhile() {
        ReleaseStore store = new ReleaseStore(cli.client(), new Api(cli.client(), "ml"));
        PendingAction absent = PendingAction.on(store.getAsStored("assistant"));
        annotate("assistant", "abort:1");
        recordAsRead("assistant", "abort:1");
        PendingAction read = PendingAction.on(store.getAsStored("assistant"));
        annotate("assistant", "abort:2");

        assertThat(store.jsonPatch("assistant", absent.replaceWith("promote:x")))
                .isPresent();
        assertThat(store.jsonPatch("assistant", read.replaceWith("promote:y"))).isPresent();
        assertThat(action("assistant")).isEqualTo("abort:2");

        PendingAction now = PendingAction.on(store.getAsStored("assistant"));
        assertThat(now.unread()).contains("abort:2");
        recordAsRead("assistant", "abort:2");
        assertThat(store.jsonPatch(
                        "assistant",
                        PendingAction.on(store.getAsStored("assistant")).replaceWith("promote:z")))
                .isEmpty();
        assertThat(action("assistant")).isEqualTo("promote:z");
    }

    @Test
    void anActionIsAddedToAReleaseWithoutAnnotations() {
        ModelRelease mr = release("summarizer");
        mr.getMetadata().setAnnotations(null);
        cli.client().resource(mr).update();
        assertThat(release("summarizer").getMetadata().getAnnotations()).isNullOrEmpty();

        CliHarness.Result r = cli.run("retry", "summarizer");

        assertThat(r.code()).isZero();
        assertThat(action("summarizer")).startsWith("retry:");
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

    private void annotate(String name, String value) {
        ModelRelease mr = release(name);
        mr.getMetadata().getAnnotations().put(ACTION, value);
        cli.client().resource(mr).update();
    }

    /** status.action as the operator writes it once it has read (and applied) {@code value}. */
    private void recordAsRead(String name, String value) {
        ModelRelease mr = release(name);
        ActionStatus a = new ActionStatus();
        a.setValue(value);
        a.setOutcome("Applied");
        a.setAnnotationRemoved(false);
        mr.getStatus().setAction(a);
        cli.client().resource(mr).updateStatus();
    }

    private String action(String name) {
        return release(name).getMetadata().getAnnotations().get(ACTION);
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
