package dev.fledge.server.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {

    @Test
    void requestsBeyondWorkersPlusQueueAreRefusedAtOnce() throws Exception {
        WorkerPool<String> pool = new WorkerPool<>(List.of("w1"), 1, Duration.ofSeconds(5));
        var held = pool.lease();
        var release = new CountDownLatch(1);
        CompletableFuture<String> queued = CompletableFuture.supplyAsync(() -> {
            try (var lease = pool.lease()) {
                return lease.worker();
            }
        });
        // the queued request waits; the third one has no room
        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThatThrownBy(pool::lease)
                        .isInstanceOf(OverloadedException.class)
                        .hasMessageContaining("too many concurrent requests"));
        held.close();
        assertThat(queued.get(5, TimeUnit.SECONDS)).isEqualTo("w1");
        release.countDown();
    }

    @Test
    void aQueuedRequestGivesUpAfterTheTimeout() {
        WorkerPool<String> pool = new WorkerPool<>(List.of("w1"), 4, Duration.ofMillis(50));
        var held = pool.lease();
        assertThatThrownBy(pool::lease).isInstanceOf(OverloadedException.class).hasMessageContaining("within 50 ms");
        held.close();
        try (var again = pool.lease()) {
            assertThat(again.worker()).isEqualTo("w1");
        }
    }

    @Test
    void submittedWorkRunsOnThePoolsOwnThreadsWithAWorker() throws Exception {
        WorkerPool<String> pool = new WorkerPool<>(List.of("w1", "w2"), 0, Duration.ofSeconds(5));
        String ran = pool.submit(
                        worker -> worker + " on " + Thread.currentThread().getName())
                .get(5, TimeUnit.SECONDS);
        assertThat(ran).matches("w[12] on inference-[12]");
        pool.close();
    }

    @Test
    void submitBeyondWorkersPlusQueueIsRefusedAtOnceAndAQueuedOneGivesUpAfterTheTimeout() throws Exception {
        WorkerPool<String> pool = new WorkerPool<>(List.of("w1"), 1, Duration.ofMillis(200));
        var held = pool.lease();
        CompletableFuture<String> queued = pool.submit(worker -> worker);
        assertThatThrownBy(() -> pool.submit(worker -> worker))
                .isInstanceOf(OverloadedException.class)
                .hasMessageContaining("too many concurrent requests (2 admitted at most)");
        assertThatThrownBy(() -> queued.get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(OverloadedException.class)
                .hasMessageContaining("within 200 ms");
        held.close();
        assertThat(pool.submit(worker -> worker).get(5, TimeUnit.SECONDS)).isEqualTo("w1");
        pool.close();
    }

    @Test
    void whatTheWorkThrowsFailsTheFutureUnwrappedAndTheWorkerComesBack() throws Exception {
        WorkerPool<String> pool = new WorkerPool<>(List.of("w1"), 0, Duration.ofSeconds(5));
        CompletableFuture<String> failed = pool.submit(worker -> {
            throw new IllegalArgumentException("bad input for " + worker);
        });
        assertThatThrownBy(() -> failed.get(5, TimeUnit.SECONDS))
                .cause()
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad input for w1");
        assertThat(pool.submit(worker -> worker).get(5, TimeUnit.SECONDS)).isEqualTo("w1");
        pool.close();
    }
}
