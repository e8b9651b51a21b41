package dev.fledge.server.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fledge.server.metrics.Audience;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IssuedResponsesTest {
    static final ResponseIdKey KEY =
            new ResponseIdKey("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8), true);
    static final Clock NOW = Clock.fixed(Instant.parse("2026-11-30T12:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path tmp;

    static IssuedResponses replica(String release, String version, ResponseIdKey key, Clock clock) {
        return new IssuedResponses(release, version, key, Duration.ofHours(24), 100, clock);
    }

    @Test
    void anIdIssuedByOneReplicaVerifiesOnAnotherWithTheSameKey() {
        String id = replica("assistant", "2.0.0", KEY, NOW).issue("cmpl", Audience.INTERNAL);
        assertThat(replica("assistant", "1.0.0", KEY, NOW).verify(id))
                .as("another replica, even of the other version, knows the audience and the version that served it")
                .contains(new IssuedResponses.Issued(Audience.INTERNAL, "2.0.0"));
    }

    @Test
    void anIdOfAnotherReleaseOrKeyOrAlteredOrExpiredDoesNotVerify() {
        IssuedResponses a = replica("assistant", "1.0.0", KEY, NOW);
        String id = a.issue("cmpl", Audience.PUBLIC);
        assertThat(replica("other", "1.0.0", KEY, NOW).verify(id))
                .as("another release")
                .isEmpty();
        assertThat(replica("assistant", "1.0.0", ResponseIdKey.from(Optional.empty()), NOW)
                        .verify(id))
                .as("another key")
                .isEmpty();
        String altered = id.substring(0, id.lastIndexOf('.') - 2) + "AA" + id.substring(id.lastIndexOf('.'));
        assertThat(a.verify(altered)).as("altered").isEmpty();
        assertThat(a.verify("cmpl-0123456789abcdef")).as("unsigned").isEmpty();
        assertThat(a.verify("cmpl-%%%.%%%")).as("garbage").isEmpty();
        assertThat(replica("assistant", "1.0.0", KEY, Clock.offset(NOW, Duration.ofHours(25)))
                        .verify(id))
                .as("expired")
                .isEmpty();
    }

    @Test
    void aResponseIsRatedOncePerReplica() {
        IssuedResponses a = replica("assistant", "1.0.0", KEY, NOW);
        String id = a.issue("cmpl", Audience.CLOSED);
        assertThat(a.rate(id)).contains(new IssuedResponses.Issued(Audience.CLOSED, "1.0.0"));
        assertThatThrownBy(() -> a.rate(id)).isInstanceOf(IssuedResponses.AlreadyRated.class);
    }

    @Test
    void theKeyFileNeedsThirtyTwoBytesUsedAsTheyAre() throws Exception {
        Path shortKey = Files.writeString(tmp.resolve("short"), "too-short\n");
        assertThatThrownBy(() -> ResponseIdKey.from(Optional.of(shortKey.toString())))
                .hasMessageContaining("at least 32");
        Path key = Files.writeString(tmp.resolve("key"), "0123456789abcdef0123456789abcdef\n");
        assertThat(ResponseIdKey.from(Optional.of(key.toString())).bytes()).hasSize(33);
        assertThatThrownBy(() ->
                        ResponseIdKey.from(Optional.of(tmp.resolve("missing").toString())))
                .hasMessageContaining("cannot read fledge.feedback.signing-key-file");
    }
}
