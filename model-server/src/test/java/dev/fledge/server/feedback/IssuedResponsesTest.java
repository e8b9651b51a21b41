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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
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
    void theMacIsAnHmacOfTheReleaseAndTheIdAsReplicasOfEarlierVersionsComputeIt() throws Exception {
        String id = replica("assistant", "1.0.0", KEY, NOW).issue("cmpl", Audience.PUBLIC);
        String unsigned = id.substring(0, id.lastIndexOf('.'));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KEY.bytes(), "HmacSHA256"));
        mac.update("assistant".getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 0);
        byte[] full = mac.doFinal(unsigned.getBytes(StandardCharsets.UTF_8));
        assertThat(id.substring(id.lastIndexOf('.') + 1))
                .isEqualTo(Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(full, 16)));
    }

    @Test
    void idsIssuedOnManyThreadsAtOnceAreDistinctAndVerify() throws Exception {
        IssuedResponses issuing = replica("assistant", "1.0.0", KEY, NOW);
        IssuedResponses verifying = replica("assistant", "1.0.0", KEY, NOW);
        Set<String> ids = ConcurrentHashMap.newKeySet();
        var pool = Executors.newFixedThreadPool(4);
        try {
            var tasks = new ArrayList<Callable<Void>>();
            for (int t = 0; t < 4; t++) {
                tasks.add(() -> {
                    for (int i = 0; i < 500; i++) {
                        String id = issuing.issue("chatcmpl", Audience.CLOSED);
                        assertThat(verifying.verify(id)).contains(new IssuedResponses.Issued(Audience.CLOSED, "1.0.0"));
                        ids.add(id);
                    }
                    return null;
                });
            }
            for (var done : pool.invokeAll(tasks)) {
                done.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(ids).hasSize(2000);
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
