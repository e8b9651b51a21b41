package dev.fledge.operator.gates.bayes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A tenant's policy cannot make a design expensive, nor make it throw, nor compute it twice at once. */
class TwoSprtDesignBudgetTest {

    static Stream<Arguments> costlyPolicies() {
        return Stream.of(
                Arguments.of(
                        "maxHarmRate 1.19e-4, prior (1e-9, 1e9)",
                        BayesPolicy.defaults(1.19e-4).withPrior(1e-9, 1e9)),
                Arguments.of(
                        "maxHarmRate 1e-3, prior (1e-9, 1e9)",
                        BayesPolicy.defaults(1e-3).withPrior(1e-9, 1e9)),
                Arguments.of(
                        "maxHarmRate 0.5, prior (1e17, 1e17)",
                        BayesPolicy.defaults(0.5).withPrior(1e17, 1e17)),
                Arguments.of(
                        "maxHarmRate 1e-3, prior (1e-300, 1e300)",
                        BayesPolicy.defaults(1e-3).withPrior(1e-300, 1e300)),
                Arguments.of(
                        "feedback: maxRate 3e-4, confidence 0.99",
                        new BayesPolicy(3e-4, 1.5e-4, BayesPolicy.harmfulFor(3e-4), 0.99, 1, 1, 0.01)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("costlyPolicies")
    void aCostlyPolicyStopsAtTheBudget(String name, BayesPolicy policy) {
        TwoSprtCalibration c = new TwoSprtCalibration(policy);
        // a guard only: the assertion is the work counted
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            try {
                c.design();
            } catch (ArithmeticException e) {
                // a prior Commons Statistics cannot evaluate: TwoSprtDesign.of gives Ville's bounds for it
            }
        });
        assertTrue(c.work() <= TwoSprtCalibration.BUDGET + TwoSprtDesign.MAX_HORIZON, name + ": " + c.work());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("costlyPolicies")
    void everyPolicyGetsADesignWithoutThrowing(String name, BayesPolicy policy) {
        TwoSprtDesign d = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> TwoSprtDesign.of(policy));
        if (!d.calibrated()) {
            assertEquals(TwoSprtCalibration.fallback(policy), d, name);
        }
    }

    @Test
    void aCalibrationThatThrowsIsKeptAsVillesBounds() {
        BayesPolicy policy = BayesPolicy.defaults(0.0123457);
        AtomicInteger calls = new AtomicInteger();
        TwoSprtDesign first = TwoSprtDesign.of(policy, p -> {
            calls.incrementAndGet();
            throw new ArithmeticException("overflow");
        });
        TwoSprtDesign second = TwoSprtDesign.of(policy, p -> {
            calls.incrementAndGet();
            throw new ArithmeticException("overflow");
        });
        assertEquals(TwoSprtCalibration.fallback(policy), first);
        assertFalse(first.calibrated());
        assertEquals(first, second);
        assertEquals(1, calls.get());
    }

    @Test
    void twoThreadsAskingForANewPolicyRunOneCalibration() throws Exception {
        BayesPolicy policy = BayesPolicy.defaults(0.0234568);
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<TwoSprtDesign> a = pool.submit(() -> TwoSprtDesign.of(policy, p -> {
                calls.incrementAndGet();
                started.countDown();
                await(release);
                return new TwoSprtCalibration(p).design();
            }));
            assertTrue(started.await(10, TimeUnit.SECONDS));
            Future<TwoSprtDesign> b = pool.submit(() -> TwoSprtDesign.of(policy, p -> {
                calls.incrementAndGet();
                return new TwoSprtCalibration(p).design();
            }));
            release.countDown();
            assertEquals(a.get(10, TimeUnit.SECONDS), b.get(10, TimeUnit.SECONDS));
            assertEquals(1, calls.get());
        } finally {
            pool.shutdownNow();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
