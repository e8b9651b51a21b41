package dev.fledge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code kubectl fledge} reading from the mock API server: each case's transcript (command, exit code, stdout,
 * stderr) must match its golden file in src/test/resources/cli-golden/. Nothing here writes, so the server is shared.
 */
class KubectlFledgeGoldenTest {
    private static CliHarness cli;

    @BeforeAll
    static void start() throws IOException {
        cli = new CliHarness();
    }

    @AfterAll
    static void stop() {
        cli.close();
    }

    @Test
    void getDrawsAReleaseMidRolloutInTheClosedStage() throws IOException {
        CliHarness.Result r = cli.run("get", "assistant", "-n", "ml");
        assertThat(r.code()).isZero();
        assertThat(r.out()).doesNotContain("must not be shown");
        Golden.check("get-closed-stage", r.transcript());
    }

    @Test
    void getDrawsTheCurrentPublicStepAndTheTimeToTheNext() throws IOException {
        CliHarness.Result r = cli.run("get", "summarizer");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("public 100% (step 3 of 3) in 1m20s");
        Golden.check("get-public-step", r.transcript());
    }

    @Test
    void getShowsARolledBackReleaseWithTheFailedGatesEvidence() throws IOException {
        CliHarness.Result r = cli.run("get", "translator", "--namespace", "ml");
        assertThat(r.code()).isZero();
        Golden.check("get-rolled-back", r.transcript());
    }

    @Test
    void getWithoutANameListsTheNamespacesReleases() throws IOException {
        CliHarness.Result r = cli.run("get");
        assertThat(r.code()).isZero();
        assertThat(r.out().lines().skip(1).map(l -> l.split(" ")[0])).containsExactlyElementsOf(CliHarness.RELEASES);
        Golden.check("get-list", r.transcript());
    }

    @Test
    void historyListsStatusHistory() throws IOException {
        CliHarness.Result r = cli.run("history", "translator");
        assertThat(r.code()).isZero();
        assertThat(r.out().lines().count()).isEqualTo(1 + 7);
        Golden.check("history", r.transcript());
    }

    @Test
    void aMissingReleaseIsOneLineAndExitCode1() throws IOException {
        CliHarness.Result get = cli.run("get", "nope", "-n", "ml");
        CliHarness.Result promote = cli.run("promote", "nope", "-n", "staging");
        assertThat(get.code()).isEqualTo(1);
        assertThat(get.err()).isEqualTo("error: modelrelease \"nope\" not found in namespace \"ml\"\n");
        assertThat(get.out()).isEmpty();
        assertThat(promote.code()).isEqualTo(1);
        Golden.check("not-found", get.transcript() + promote.transcript());
    }
}
