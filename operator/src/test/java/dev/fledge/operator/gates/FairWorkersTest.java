package dev.fledge.operator.gates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FairWorkersTest {

    @Test
    void aNamespaceWithManySlowReadsLeavesAThreadForAnotherNamespace() throws Exception {
        try (FairWorkers workers = new FairWorkers(3, 2, "test-read")) {
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger slowStarted = new AtomicInteger();
            for (int i = 0; i < 10; i++) {
                workers.submit("team-a", () -> {
                    slowStarted.incrementAndGet();
                    block(release);
                });
            }
            CountDownLatch other = new CountDownLatch(1);
            workers.submit("team-b", other::countDown);

            assertThat(other.await(5, TimeUnit.SECONDS))
                    .as("team-b's read runs while team-a's wait")
                    .isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> slowStarted.get() == 2);
            assertThat(slowStarted).as("team-a holds its own share only").hasValue(2);
            assertThat(workers.waiting()).isEqualTo(8);
            release.countDown();
        }
    }

    @Test
    void freeThreadsGoToTheWaitingNamespacesInTurn() throws Exception {
        try (FairWorkers workers = new FairWorkers(1, 1, "test-read")) {
            CountDownLatch first = new CountDownLatch(1);
            StringBuffer order = new StringBuffer();
            workers.submit("team-a", () -> block(first));
            workers.submit("team-a", () -> order.append("a"));
            workers.submit("team-a", () -> order.append("a"));
            workers.submit("team-b", () -> order.append("b"));
            CountDownLatch done = new CountDownLatch(1);
            workers.submit("team-c", () -> {
                order.append("c");
                done.countDown();
            });
            first.countDown();
            assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(order.toString()).startsWith("abc");
        }
    }

    @Test
    void readsOneAfterTheOtherReuseOneThreadInsteadOfStartingOnePerRead() throws Exception {
        String name = "test-reuse-" + System.nanoTime();
        try (FairWorkers workers = new FairWorkers(32, 4, name)) {
            for (int i = 0; i < 100; i++) {
                CountDownLatch done = new CountDownLatch(1);
                workers.submit("team-a", done::countDown);
                assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
                Thread.sleep(5); // the worker goes back to the pool after its task
            }
            // a pool of fixed size 32 started a thread for each of the first 32 reads; now a read takes an idle thread
            // (another only when one is still on its way back to the pool)
            assertThat(threadsNamed(name)).as("threads named %s", name).isBetween(1L, 4L);
        }
    }

    private static long threadsNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(name) && t.isAlive())
                .count();
    }

    private static void block(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
