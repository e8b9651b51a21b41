package dev.fledge.operator.gates.metric;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.spec.MetricSpec;
import dev.fledge.api.status.Verdict;
import dev.fledge.core.rollout.GateVerdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * One tenant's costly PromQL must not take the shared Prometheus, or the operator's reconcile threads, from the others:
 * each namespace gets a few queries in flight and a share of query time per window.
 */
class BudgetedMetricsTest {
    final AtomicLong now = new AtomicLong();
    final AtomicInteger sent = new AtomicInteger();

    /** A Prometheus whose every answer takes {@code took} of the test's clock. */
    MetricsBackend slow(Duration took) {
        return backend((ns, q) -> {
            sent.incrementAndGet();
            now.addAndGet(took.toNanos());
            return new QueryResult.Value(1);
        });
    }

    /** A backend answering namespaced queries with {@code answer}. */
    static MetricsBackend backend(java.util.function.BiFunction<String, String, QueryResult> answer) {
        return new MetricsBackend() {
            @Override
            public QueryResult query(String promql) {
                throw new AssertionError("the gates always name the namespace");
            }

            @Override
            public QueryResult query(String namespace, String promql) {
                return answer.apply(namespace, promql);
            }
        };
    }

    static QueryBudget budget(int running, Duration time) {
        return new QueryBudget(running, Duration.ZERO, time, Duration.ofMinutes(1));
    }

    @Test
    void aNamespaceThatSpentItsQueryTimeIsRefusedWhileAnotherIsNot() {
        var metrics = new BudgetedMetrics(slow(Duration.ofSeconds(8)), budget(4, Duration.ofSeconds(30)), now::get);

        List<QueryResult> teamA = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            teamA.add(metrics.query("team-a", "max_over_time(vector(1)[30d:1s])"));
        }

        assertThat(teamA.subList(0, 4)).allMatch(QueryResult.Value.class::isInstance);
        assertThat(teamA.subList(4, 6))
                .allSatisfy(r -> assertThat(r)
                        .isInstanceOfSatisfying(
                                QueryResult.Unusable.class,
                                u -> assertThat(u.reason())
                                        .contains(
                                                "namespace team-a has used its Prometheus query time: 32.0 s of the 30.0 s")
                                        .contains("fledge.prometheus.namespace-query-time")
                                        .doesNotContain("vector(1)")));
        assertThat(sent).as("the refused queries never reached Prometheus").hasValue(4);
        assertThat(metrics.query("team-b", "up")).isInstanceOf(QueryResult.Value.class);
    }

    /** The gates' readings pin their evaluation time: those queries are charged as any other, and keep the time. */
    @Test
    void aQueryAtAGivenTimeIsChargedAndPassesTheTimeOn() {
        List<Instant> at = new ArrayList<>();
        MetricsBackend inner = new MetricsBackend() {
            @Override
            public QueryResult query(String promql) {
                throw new AssertionError("the gates always name the namespace");
            }

            @Override
            public QueryResult query(String namespace, String promql, Instant when) {
                at.add(when);
                now.addAndGet(Duration.ofSeconds(8).toNanos());
                return new QueryResult.Value(1);
            }
        };
        var metrics = new BudgetedMetrics(inner, budget(4, Duration.ofSeconds(30)), now::get);
        Instant reading = Instant.parse("2026-12-04T04:00:00.123Z");
        List<QueryResult> answers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            answers.add(metrics.query("team-a", "up", reading));
        }
        assertThat(answers.subList(0, 4)).allMatch(QueryResult.Value.class::isInstance);
        assertThat(answers.get(4))
                .as("the fifth is over the namespace's 30 s")
                .isInstanceOf(QueryResult.Unusable.class);
        assertThat(at).hasSize(4).containsOnly(reading);
    }

    @Test
    void theTimeComesBackAsTheWindowMovesOn() {
        var metrics = new BudgetedMetrics(slow(Duration.ofSeconds(20)), budget(4, Duration.ofSeconds(30)), now::get);
        metrics.query("team-a", "q");
        metrics.query("team-a", "q");
        assertThat(metrics.query("team-a", "q")).isInstanceOf(QueryResult.Unusable.class);

        now.addAndGet(Duration.ofSeconds(41).toNanos()); // the first query ended 61 s ago, the second 41 s ago

        assertThat(metrics.query("team-a", "q")).isInstanceOf(QueryResult.Value.class);
    }

    @Test
    void aNamespaceGetsNoMoreThanItsRunningQueriesAndOthersStillGetTheirs() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(2);
        MetricsBackend blocking = backend((ns, q) -> {
            if (ns.equals("team-a")) {
                running.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return new QueryResult.Value(1);
        });
        var metrics = new BudgetedMetrics(blocking, budget(2, Duration.ofMinutes(5)));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<QueryResult> first = pool.submit(() -> metrics.query("team-a", "q"));
            Future<QueryResult> second = pool.submit(() -> metrics.query("team-a", "q"));
            assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();

            assertThat(metrics.query("team-a", "q"))
                    .isInstanceOfSatisfying(
                            QueryResult.Unusable.class,
                            u -> assertThat(u.reason()).contains("already has 2 Prometheus queries running"));
            assertThat(metrics.query("team-b", "q")).isInstanceOf(QueryResult.Value.class);

            release.countDown();
            assertThat(first.get(5, TimeUnit.SECONDS)).isInstanceOf(QueryResult.Value.class);
            assertThat(second.get(5, TimeUnit.SECONDS)).isInstanceOf(QueryResult.Value.class);
            assertThat(metrics.query("team-a", "q"))
                    .as("its slots are free again")
                    .isInstanceOf(QueryResult.Value.class);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void underTheOperatorsBudgetAQueryThatFindsNoFreeSlotIsRefusedWithoutWaitingForOne() throws Exception {
        // waiting would hold a reconcile thread that neither the time budget nor the running limit charges
        QueryBudget standard = QueryBudget.standard();
        assertThat(standard.slotWait()).isZero();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(standard.maxRunning());
        var metrics = new BudgetedMetrics(
                backend((ns, q) -> {
                    running.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return new QueryResult.Value(1);
                }),
                standard);
        ExecutorService pool = Executors.newFixedThreadPool(standard.maxRunning());
        try {
            for (int i = 0; i < standard.maxRunning(); i++) {
                pool.submit(() -> metrics.query("team-a", "q"));
            }
            assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();

            assertThat(metrics.query("team-a", "q"))
                    .isInstanceOfSatisfying(
                            QueryResult.Unusable.class,
                            u -> assertThat(u.reason())
                                    .contains("fledge.prometheus.max-queries-per-namespace")
                                    .contains("does not wait for a slot"));
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void aRefusedQueryMakesTheMetricGateInconclusiveNotAPassOrAFail() {
        var metrics = new BudgetedMetrics(slow(Duration.ofSeconds(40)), budget(4, Duration.ofSeconds(30)), now::get);
        metrics.query("ml", "q");

        MetricSpec spec = new MetricSpec()
                .withName("error-rate")
                .withQuery("sum(rate(x[1m]))")
                .withMax(0.01);
        GateVerdict verdict =
                new MetricGate(spec, metrics).evaluate(GateContexts.closedStage(GateContexts.release(spec)));

        assertThat(verdict.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(verdict.reason()).contains("has used its Prometheus query time");
    }
}
