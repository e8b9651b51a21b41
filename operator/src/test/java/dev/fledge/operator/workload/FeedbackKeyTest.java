package dev.fledge.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import dev.fledge.operator.mock.MovableClock;
import dev.fledge.testsupport.ApplyTolerantCrudDispatcher;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The feedback keys of releases made together are asked for again spread out, not all in the same second. */
class FeedbackKeyTest {
    private static final Duration STEP = Duration.ofSeconds(15);
    private final MovableClock clock = new MovableClock();
    private KubernetesMockServer server;
    private KubernetesClient client;
    private FeedbackKey keys;

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(
                new Context(), new MockWebServer(), new HashMap<>(), new ApplyTolerantCrudDispatcher(), false);
        server.init();
        client = server.createClient();
        keys = new FeedbackKey(client, clock);
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    @Test
    void keysEnsuredInTheSameSecondAreAskedForAgainOverTheLastQuarterOfThePeriodAndAllWithinIt() {
        List<ModelRelease> releases = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ModelRelease mr = new ModelRelease();
            mr.setMetadata(new ObjectMetaBuilder()
                    .withNamespace("team-a")
                    .withName("release-" + i)
                    .withUid(UUID.nameUUIDFromBytes(("release-" + i).getBytes()).toString())
                    .build());
            releases.add(mr);
        }
        releases.forEach(keys::ensure);
        assertThat(server.getRequestCount()).isEqualTo(200);

        int most = 0;
        int asked = 0;
        // a pass of every release every 15 s, as in a rollout, until the period is over
        for (Duration moved = STEP; moved.compareTo(FeedbackKey.REASSERT) <= 0; moved = moved.plus(STEP)) {
            clock.advance(STEP);
            int before = server.getRequestCount();
            releases.forEach(keys::ensure);
            int inStep = server.getRequestCount() - before;
            most = Math.max(most, inStep);
            asked += inStep;
        }
        assertThat(asked).as("every key asked for again within the period").isEqualTo(200);
        assertThat(most)
                .as("most asked for in one 15 s step (all 200 at 5 min without the spread)")
                .isLessThanOrEqualTo(60);
        assertThat(client.secrets().inNamespace("team-a").list().getItems()).hasSize(200);
    }
}
