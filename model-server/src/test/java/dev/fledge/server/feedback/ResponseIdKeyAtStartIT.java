package dev.fledge.server.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.server.support.FixtureModels;
import dev.fledge.server.support.PackagedServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A release's pods read the response-id key from the file the operator mounts (issue 19 item 6). A key file that is
 * named but cannot be used stops the start at once, with the reason in the log and the pod's termination message:
 * never a server that starts, reports ready and then fails every request, nor one that quietly signs with a key of
 * its own (its ids would be refused by every other replica).
 */
class ResponseIdKeyAtStartIT {

    @Test
    void aMissingKeyFileStopsTheStartWithTheReasonForThePodStatus(@TempDir Path tmp) throws Exception {
        assertStopsWith(tmp, tmp.resolve("no-such-key").toString(), "cannot read fledge.feedback.signing-key-file");
    }

    @Test
    void aShortKeyStopsTheStartWithTheReasonForThePodStatus(@TempDir Path tmp) throws Exception {
        Path key = Files.writeString(tmp.resolve("key"), "too-short");
        assertStopsWith(tmp, key.toString(), "needs at least 32");
    }

    private static void assertStopsWith(Path tmp, String keyFile, String reason) throws Exception {
        Path termination = tmp.resolve("termination-log");
        PackagedServer server = PackagedServer.start(
                "response-id-key-" + tmp.getFileName(),
                Map.of(
                        "FLEDGE_MODEL_URI",
                        FixtureModels.uri("v1"),
                        "FLEDGE_FEEDBACK_SIGNING_KEY_FILE",
                        keyFile,
                        "FLEDGE_TERMINATION_MESSAGE_PATH",
                        termination.toString()));
        try {
            assertThat(server.exitWithin(Duration.ofMinutes(2))).isNotZero();
            assertThat(Files.readString(termination)).contains(reason).contains(keyFile);
            assertThat(server.logTail()).contains(reason);
        } finally {
            server.close();
        }
    }
}
