package dev.fledge.operator.gates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeferredReadsTest {
    static final Duration EVERY = Duration.ofSeconds(10);

    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T12:00:00Z"));
    final List<String> woken = new CopyOnWriteArrayList<>();
    final FairWorkers workers = new FairWorkers(2, 1, "test-read");
    final DeferredReads reads = new DeferredReads(workers, clock(), woken::add);
    final AtomicInteger sent = new AtomicInteger();

    @AfterEach
    void stop() {
        workers.close();
    }

    @Test
    void aVerdictIsHandedOutOnceAfterItsWorkEndedAndTheReleaseIsWoken() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        var ask = ask("scope-1", () -> {
            block(answer);
            return "Pass";
        });

        assertThat(reads.take(ask)).as("nothing yet: the work was sent").isInstanceOf(DeferredReads.Sent.class);
        assertThat(reads.take(ask))
                .as("still on its way: a pass that asks meanwhile records the placeholder again, whatever is stored")
                .isEqualTo(reads.take(ask))
                .isInstanceOf(DeferredReads.Sent.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.get() == 1);

        answer.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.contains("team-a/assistant"));
        assertThat(reads.take(ask)).isEqualTo(new DeferredReads.Fresh<>("Pass"));
        assertThat(reads.take(ask))
                .as("taken once: a failure is not counted twice")
                .isInstanceOf(DeferredReads.Nothing.class);
        assertThat(sent).as("no new reading within the interval").hasValue(1);

        now.set(now.get().plus(EVERY));
        assertThat(reads.take(ask)).isInstanceOf(DeferredReads.Sent.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.get() == 2); // the next interval sends the next one
    }

    /**
     * A reading is due by the time of the pass that asks (the engine's schedule), not by when the ask reached here: a
     * pass that spent 2 s on other work before asking sent its reading 2 s "late" by the clock, and the pass an interval
     * after it, which the engine finds an analysis due in, got nothing and left the gate unread.
     */
    @Test
    void aReadingIsDueAnIntervalAfterThePassThatSentItNotAfterTheClockWhenItAsked() {
        Instant pass = now.get();
        now.set(pass.plusSeconds(2)); // the pass's other work before it asked
        var first = new DeferredReads.Ask<>(
                "team-a", "team-a/assistant", "gate:error-rate", "scope", EVERY, () -> "Pass", pass);
        assertThat(reads.take(first)).isEqualTo(new DeferredReads.Sent<>(pass));
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.size() == 1);
        assertThat(reads.take(first)).isInstanceOf(DeferredReads.Fresh.class);

        Instant next = pass.plus(EVERY);
        now.set(next.plusMillis(100));
        var second = new DeferredReads.Ask<>(
                "team-a", "team-a/assistant", "gate:error-rate", "scope", EVERY, () -> "Pass", next);
        assertThat(reads.take(second))
                .as("an interval after the pass that sent the last one")
                .isEqualTo(new DeferredReads.Sent<>(next));
    }

    @Test
    void anAnswerAskedInAnotherScopeIsNeverHandedOut() {
        assertThat(reads.take(ask("stage internal", () -> "Pass from internal")))
                .isInstanceOf(DeferredReads.Sent.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.size() == 1);

        var closed = ask("stage closed", () -> "Fail from closed");
        assertThat(reads.take(closed))
                .as("the internal answer is not the closed stage's; a new scope sends at once")
                .isInstanceOf(DeferredReads.Sent.class);
        // a new scope sends at once, whatever the interval
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.size() == 2);
        assertThat(sent).hasValue(2);
        assertThat(reads.take(closed)).isEqualTo(new DeferredReads.Fresh<>("Fail from closed"));
    }

    @Test
    void theLatestAnswerIsReadOnEveryPassAndRefreshedOncePerInterval() {
        AtomicInteger reading = new AtomicInteger();
        var ask = ask("scope", reading::incrementAndGet);
        assertThat(reads.latest(ask)).isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> reads.latest(ask).isPresent());
        assertThat(reads.latest(ask).map(DeferredReads.Answer::value)).contains(1);
        assertThat(reads.latest(ask).map(DeferredReads.Answer::value)).contains(1);

        now.set(now.get().plus(EVERY));
        assertThat(reads.latest(ask).map(DeferredReads.Answer::value))
                .as("the previous answer stands while the next is on its way")
                .contains(1);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> reads.latest(ask).map(DeferredReads.Answer::value), v -> v.equals(Optional.of(2)));
    }

    @Test
    void anAnswerNotYetTakenIsNotReplacedByAnotherReading() {
        AtomicInteger reading = new AtomicInteger();
        var ask = ask("scope", reading::incrementAndGet);
        reads.take(ask);
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.size() == 1);
        now.set(now.get().plus(EVERY.multipliedBy(3)));
        assertThat(reads.take(ask)).as("the answer waiting to be taken").isEqualTo(new DeferredReads.Fresh<>(1));
    }

    @Test
    void aReadingThatThrowsWakesTheReleaseAndIsSentAgainAtTheNextInterval() {
        var ask = ask("scope", () -> {
            throw new IllegalStateException("boom");
        });
        reads.take(ask);
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.size() == 1);
        assertThat(reads.take(ask)).isInstanceOf(DeferredReads.Nothing.class);
        now.set(now.get().plus(EVERY));
        assertThat(reads.take(ask)).isInstanceOf(DeferredReads.Sent.class);
    }

    @Test
    void aDeletedReleasesReadingsGo() {
        reads.take(ask("scope", () -> "Pass"));
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.size() == 1);
        reads.forget("team-a/assistant");
        assertThat(reads.size()).isZero();
    }

    @Test
    void aQuickAnswerIsTakenByThePassThatSentItAndWakesNobody() {
        DeferredReads waiting = new DeferredReads(workers, clock(), woken::add, Duration.ofSeconds(5));
        var ask = ask("scope", () -> "Pass");
        assertThat(waiting.take(ask)).isEqualTo(new DeferredReads.Fresh<>("Pass"));
        assertThat(waiting.take(ask)).as("taken once").isInstanceOf(DeferredReads.Nothing.class);
        await().during(Duration.ofMillis(300))
                .atMost(Duration.ofSeconds(2))
                .until(woken::isEmpty); // the sending pass had it: no second pass for the same answer

        AtomicInteger reading = new AtomicInteger();
        var live = ask("live", reading::incrementAndGet);
        assertThat(waiting.latest(live).map(DeferredReads.Answer::value))
                .as("the latest reading, as the pass that sent it")
                .contains(1);
        assertThat(woken).isEmpty();
    }

    @Test
    void aSlowAnswerComesWithAWakeUpAndItsNamespaceStopsWaitingForAWhile() {
        DeferredReads waiting = new DeferredReads(workers, clock(), woken::add, Duration.ofSeconds(3));
        CountDownLatch answer = new CountDownLatch(1);
        var slow = ask("scope-1", () -> {
            block(answer); // answered only after the wait ran out
            return "Pass";
        });
        assertThat(waiting.take(slow)).as("not answered within the wait").isInstanceOf(DeferredReads.Sent.class);
        answer.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.contains("team-a/assistant"));
        assertThat(waiting.take(slow)).isEqualTo(new DeferredReads.Fresh<>("Pass"));

        assertThat(waiting.take(ask("scope-2", () -> "quick")))
                .as("team-a's passes do not wait while it backs off, however quick the next reading")
                .isInstanceOf(DeferredReads.Sent.class);
        var other = new DeferredReads.Ask<>("team-b", "team-b/assistant", "gate:error-rate", "scope", EVERY, () -> "b");
        assertThat(waiting.take(other)).as("another namespace still waits").isEqualTo(new DeferredReads.Fresh<>("b"));

        now.set(now.get().plus(DeferredReads.SLOW_BACKOFF).plusSeconds(1));
        assertThat(waiting.take(ask("scope-3", () -> "quick again")))
                .isEqualTo(new DeferredReads.Fresh<>("quick again"));
    }

    @Test
    void atMostTwoPassesOfANamespaceWaitAtOnce() throws Exception {
        FairWorkers many = new FairWorkers(8, 8, "test-read-many");
        DeferredReads waiting = new DeferredReads(many, clock(), woken::add, Duration.ofSeconds(5));
        CountDownLatch answer = new CountDownLatch(1);
        List<Object> taken = new CopyOnWriteArrayList<>();
        List<Thread> passes = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            passes.add(passTaking(waiting, answeredBy(answer, "team-a", "team-a/r" + i), taken));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> many.waiting() == 0 && allWaiting(passes));
        long before = System.nanoTime();
        var third = answeredBy(answer, "team-a", "team-a/r2");
        assertThat(waiting.take(third))
                .as("a third pass of team-a does not wait while two do")
                .isInstanceOf(DeferredReads.Sent.class);
        assertThat(Duration.ofNanos(System.nanoTime() - before))
                .as("it went on at once (a wait would have lasted the 5 s)")
                .isLessThan(Duration.ofSeconds(4));
        answer.countDown();
        for (Thread t : passes) {
            t.join(10_000);
        }
        many.close();
        assertThat(passes).noneMatch(Thread::isAlive);
        assertThat(taken)
                .as("the two waiting passes took their answers")
                .hasSize(2)
                .containsOnly(new DeferredReads.Fresh<>("Pass"));
    }

    @Test
    void atMostWaitersPassesWaitAtOnceInAllNamespaces() throws Exception {
        FairWorkers many = new FairWorkers(4 * DeferredReads.WAITERS, 4 * DeferredReads.WAITERS, "test-read-all");
        // an answer wait longer than the test: a stalled machine cannot end the first passes' waits early; the
        // readings themselves end after 10 s at most (block), so a pass that waited would take about that long
        DeferredReads waiting = new DeferredReads(many, clock(), woken::add, Duration.ofSeconds(30));
        CountDownLatch answer = new CountDownLatch(1);
        List<Object> taken = new CopyOnWriteArrayList<>();
        List<Thread> passes = new java.util.ArrayList<>();
        for (int i = 0; i < DeferredReads.WAITERS; i++) {
            String ns = "team-" + i / DeferredReads.WAITERS_PER_NAMESPACE;
            passes.add(passTaking(waiting, answeredBy(answer, ns, ns + "/r" + i), taken));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> many.waiting() == 0 && allWaiting(passes));
        long before = System.nanoTime();
        var another = answeredBy(answer, "team-z", "team-z/r");
        assertThat(waiting.take(another))
                .as(
                        "a pass of a namespace none of whose passes waits does not wait while %d do in all",
                        DeferredReads.WAITERS)
                .isInstanceOf(DeferredReads.Sent.class);
        assertThat(Duration.ofNanos(System.nanoTime() - before))
                .as("it went on at once (a wait would have lasted until its reading ended, 10 s)")
                .isLessThan(Duration.ofSeconds(8));
        answer.countDown();
        for (Thread t : passes) {
            t.join(10_000);
        }
        many.close();
        assertThat(passes).noneMatch(Thread::isAlive);
        assertThat(taken)
                .as("the waiting passes took their answers")
                .hasSize(DeferredReads.WAITERS)
                .containsOnly(new DeferredReads.Fresh<>("Pass"));
    }

    /** A reading of the release's error-rate gate whose answer, "Pass", comes once {@code answer} is counted down. */
    private static DeferredReads.Ask<String> answeredBy(CountDownLatch answer, String namespace, String release) {
        return new DeferredReads.Ask<>(namespace, release, "gate:error-rate", "scope", EVERY, () -> {
            block(answer);
            return "Pass";
        });
    }

    /** A pass on a thread of its own that takes {@code ask}'s reading and adds what it took to {@code taken}. */
    private static Thread passTaking(DeferredReads waiting, DeferredReads.Ask<String> ask, List<Object> taken) {
        Thread t = new Thread(() -> taken.add(waiting.take(ask)));
        t.start();
        return t;
    }

    /** Every pass has sent its reading and waits for its answer. */
    private static boolean allWaiting(List<Thread> passes) {
        return passes.stream().allMatch(t -> t.getState() == Thread.State.TIMED_WAITING);
    }

    private <T> DeferredReads.Ask<T> ask(String scope, java.util.function.Supplier<T> work) {
        return new DeferredReads.Ask<>("team-a", "team-a/assistant", "gate:error-rate", scope, EVERY, () -> {
            sent.incrementAndGet();
            return work.get();
        });
    }

    private static void block(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Clock clock() {
        return new Clock() {
            @Override
            public Instant instant() {
                return now.get();
            }

            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }
        };
    }
}
