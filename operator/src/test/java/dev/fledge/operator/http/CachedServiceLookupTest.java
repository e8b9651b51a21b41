package dev.fledge.operator.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The judge URL is checked before every call; a Service's answer is kept a short time only, so a change is seen. */
class CachedServiceLookupTest {
    final AtomicReference<ServiceLookup.Facts> inCluster =
            new AtomicReference<>(new ServiceLookup.Facts("ClusterIP", true, List.of("10.96.0.10")));
    final AtomicLong nanos = new AtomicLong();
    final ServiceLookup cached =
            ServiceLookup.cached((ns, name) -> Optional.of(inCluster.get()), Duration.ofSeconds(2), nanos::get);

    @Test
    void aServiceTurnedExternalNameIsSeenOnceTheAnswerIsOlderThanTheTtl() {
        assertThat(cached.find("team-a", "guard"))
                .get()
                .extracting(f -> f.type())
                .isEqualTo("ClusterIP");

        inCluster.set(new ServiceLookup.Facts("ExternalName", false, List.of()));
        nanos.addAndGet(Duration.ofMillis(1999).toNanos());
        assertThat(cached.find("team-a", "guard"))
                .get()
                .extracting(f -> f.type())
                .isEqualTo("ClusterIP");

        nanos.addAndGet(Duration.ofMillis(1).toNanos());
        assertThat(cached.find("team-a", "guard"))
                .get()
                .extracting(f -> f.type())
                .isEqualTo("ExternalName");
    }

    @Test
    void eachServiceIsKeptApart() {
        cached.find("team-a", "guard");
        inCluster.set(new ServiceLookup.Facts("ExternalName", false, List.of()));

        assertThat(cached.find("team-b", "guard"))
                .get()
                .extracting(f -> f.type())
                .isEqualTo("ExternalName");
    }
}
