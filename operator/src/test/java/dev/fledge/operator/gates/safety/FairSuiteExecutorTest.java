package dev.fledge.operator.gates.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.operator.gates.bayes.Evidence;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Issue 15 finding 4 (review): the suite executor's slots, its run deadline, and what it keeps. */
class FairSuiteExecutorTest {
    static final SuiteResults RESULTS = new SuiteResults(
            new SuiteRun(
                    new PromptSuite("s", "h", List.of()), Evidence.none(), Map.of(), Map.of(), List.of(), 0, List.of()),
            null);

    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    final List<FairSuiteExecutor> executors = new ArrayList<>();

    @AfterEach
    void stop() {
        executors.forEach(FairSuiteExecutor::close);
        timer.shutdownNow();
    }

    /** A pool that holds the tasks handed to it until the test runs them: a run can be cancelled before it starts. */
    static final class HeldPool extends AbstractExecutorService {
        final List<Runnable> held = new ArrayList<>();

        @Override
        public void execute(Runnable r) {
            held.add(r);
        }

        void runAll() {
            List<Runnable> now = new ArrayList<>(held);
            held.clear();
            now.forEach(Runnable::run);
        }

        @Override
        public void shutdown() {}

        @Override
        public List<Runnable> shutdownNow() {
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return false;
        }

        @Override
        public boolean isTerminated() {
            return false;
        }

        @Override
        public boolean awaitTermination(long t, TimeUnit u) {
            return true;
        }
    }

    FairSuiteExecutor executor(
            int slots, int perNamespace, Duration maxDuration, java.util.concurrent.ExecutorService pool) {
        FairSuiteExecutor e =
                new FairSuiteExecutor(slots, perNamespace, maxDuration, Clock.systemUTC(), release -> {}, pool, timer);
        executors.add(e);
        return e;
    }

    static SuiteExecutor.Job job(String namespace, String name, String run, Supplier<SuiteResults> work) {
        return new SuiteExecutor.Job(namespace, namespace + "/" + name, namespace + "/" + name + "#" + run, work);
    }

    /** A suite run that waits until it is interrupted (a canary slower than any deadline). */
    static SuiteResults hang() {
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return RESULTS;
    }

    /**
     * A release asks for a new run while its old run was handed to a worker but not yet started: the old run is
     * cancelled and never runs, and its slot must come back. Before the fix the slot leaked: with every slot leaked,
     * no suite ran anywhere until the operator restarted.
     */
    @Test
    void aRunCancelledBeforeItStartedGivesBackItsSlot() {
        HeldPool pool = new HeldPool();
        FairSuiteExecutor executor = executor(1, 1, Duration.ofMinutes(15), pool);
        SuiteExecutor.Job first = job("ml", "assistant", "1", () -> RESULTS);
        assertThat(executor.request(first)).isInstanceOf(SuiteExecutor.Running.class);
        // the release moved on (a new stage) before a worker took the first run up
        SuiteExecutor.Job second = job("ml", "assistant", "2", () -> RESULTS);
        executor.request(second);
        pool.runAll(); // the cancelled run does nothing; the second, if it got the slot, runs
        pool.runAll();
        assertThat(executor.request(second))
                .as("the second run, after the first was cancelled before it started")
                .isInstanceOf(SuiteExecutor.Done.class);
        assertThat(executor.running()).as("slots taken").isZero();

        SuiteExecutor.Job other = job("team-b", "chat", "1", () -> RESULTS);
        executor.request(other);
        pool.runAll();
        assertThat(executor.request(other)).isInstanceOf(SuiteExecutor.Done.class);
    }

    /**
     * A run past {@code fledge.safety.max-suite-duration} is stopped with a reason that names the setting, its slot
     * goes to the run another namespace queued meanwhile, and the stopped release's next run queues behind it.
     */
    @Test
    void aRunPastTheMaxDurationIsStoppedAndItsNextRunWaitsBehindOthers() throws InterruptedException {
        FairSuiteExecutor executor = executor(1, 1, Duration.ofSeconds(2), Executors.newCachedThreadPool());
        SuiteExecutor.Job slow = job("slow", "assistant", "1", FairSuiteExecutorTest::hang);
        assertThat(executor.request(slow)).isInstanceOf(SuiteExecutor.Running.class);
        CountDownLatch othersCanary = new CountDownLatch(1);
        SuiteExecutor.Job other = job("ml", "chat", "1", () -> {
            try {
                othersCanary.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return RESULTS;
        });
        assertThat(executor.request(other)).isInstanceOf(SuiteExecutor.Queued.class);

        SuiteExecutor.Progress stopped = await().atMost(Duration.ofSeconds(5))
                .until(() -> executor.request(slow), p -> p instanceof SuiteExecutor.Stopped);
        assertThat(((SuiteExecutor.Stopped) stopped).reason())
                .contains("stopped after 2s")
                .contains("fledge.safety.max-suite-duration");
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(executor.request(other)).isInstanceOf(SuiteExecutor.Running.class));

        // the slow release's next run: behind the other namespace's run, not in its slot
        executor.counted(slow.release(), slow.runId());
        SuiteExecutor.Job slowAgain = job("slow", "assistant", "2", FairSuiteExecutorTest::hang);
        assertThat(executor.request(slowAgain)).isInstanceOf(SuiteExecutor.Queued.class);
        othersCanary.countDown();
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(executor.request(other)).isInstanceOf(SuiteExecutor.Done.class));
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(
                        () -> assertThat(executor.request(slowAgain)).isNotInstanceOf(SuiteExecutor.Queued.class));
    }

    /** Many releases come and go: the executor keeps nothing of the deleted ones nor of counted runs. */
    @Test
    void deletedReleasesAndCountedRunsAreNotKept() {
        HeldPool pool = new HeldPool();
        FairSuiteExecutor executor = executor(4, 2, Duration.ofMinutes(15), pool);
        for (int i = 0; i < 200; i++) {
            SuiteExecutor.Job j = job("ns-" + (i % 7), "release-" + i, "1", () -> RESULTS);
            executor.request(j);
            pool.runAll();
            assertThat(executor.request(j)).isInstanceOf(SuiteExecutor.Done.class);
            if (i % 2 == 0) {
                executor.forget(j.release()); // deleted
            } else {
                executor.counted(j.release(), j.runId()); // its status counts it
            }
        }
        assertThat(executor.held())
                .as("runs held after 200 releases came and went")
                .isZero();
        assertThat(executor.running()).isZero();
    }

    /** A deleted release's run stops and frees its slot at once, for the next namespace's run. */
    @Test
    void aDeletedReleasesRunningSuiteFreesItsSlot() {
        FairSuiteExecutor executor = executor(1, 1, Duration.ofMinutes(15), Executors.newCachedThreadPool());
        SuiteExecutor.Job slow = job("slow", "assistant", "1", FairSuiteExecutorTest::hang);
        executor.request(slow);
        SuiteExecutor.Job other = job("ml", "chat", "1", () -> RESULTS);
        assertThat(executor.request(other)).isInstanceOf(SuiteExecutor.Queued.class);
        executor.forget(slow.release());
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(executor.request(other)).isInstanceOf(SuiteExecutor.Done.class));
        assertThat(executor.held()).isEqualTo(1);
    }
}
