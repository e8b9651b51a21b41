package dev.fledge.operator.gates.metric;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A metrics backend that holds each namespace to its {@link QueryBudget}: a query over the namespace's running limit
 * or time budget is not sent and reads as {@link QueryResult.Unusable} (the gate is Inconclusive and asked again at the
 * next analysis), so one tenant's costly PromQL cannot take the shared Prometheus or the operator's reconcile threads
 * from the others. The time is charged when the answer comes, so a query that starts within the budget may overrun
 * it once. A query that finds no free slot is refused at once under the standard budget: waiting for one would hold
 * a reconcile thread that no budget charges (secreview 8, finding 7). Unconfined queries ({@link #query(String)}) are
 * not counted.
 */
public final class BudgetedMetrics implements MetricsBackend {
    private final MetricsBackend inner;
    private final QueryBudget budget;
    private final LongSupplier nanoTime;
    private final Map<String, Account> accounts = new ConcurrentHashMap<>();

    public BudgetedMetrics(MetricsBackend inner, QueryBudget budget) {
        this(inner, budget, System::nanoTime);
    }

    BudgetedMetrics(MetricsBackend inner, QueryBudget budget, LongSupplier nanoTime) {
        this.inner = inner;
        this.budget = budget;
        this.nanoTime = nanoTime;
    }

    @Override
    public QueryResult query(String promql) {
        return inner.query(promql);
    }

    @Override
    public QueryResult query(String namespace, String promql) {
        return charged(namespace, () -> inner.query(namespace, promql));
    }

    @Override
    public QueryResult query(String namespace, String promql, Instant at) {
        return charged(namespace, () -> inner.query(namespace, promql, at));
    }

    /** Not charged: one {@code time()} per reading, which reads no series. */
    @Override
    public Instant now(String namespace) {
        return inner.now(namespace);
    }

    private QueryResult charged(String namespace, Supplier<QueryResult> query) {
        Account account = accounts.computeIfAbsent(namespace, ns -> new Account(budget.maxRunning()));
        long used = account.used(nanoTime.getAsLong(), budget.window().toNanos());
        if (used >= budget.time().toNanos()) {
            return new QueryResult.Unusable("namespace " + namespace + " has used its Prometheus query time: "
                    + seconds(used) + " s of the " + seconds(budget.time().toNanos()) + " s its queries may take per "
                    + seconds(budget.window().toNanos())
                    + " s (fledge.prometheus.namespace-query-time); not sent, asked again at the next analysis");
        }
        try {
            boolean slot = budget.slotWait().isZero()
                    ? account.slots.tryAcquire()
                    : account.slots.tryAcquire(budget.slotWait().toNanos(), TimeUnit.NANOSECONDS);
            if (!slot) {
                return new QueryResult.Unusable("namespace " + namespace + " already has " + budget.maxRunning()
                        + " Prometheus queries running (fledge.prometheus.max-queries-per-namespace); not sent"
                        + (budget.slotWait().isZero() ? " (a query does not wait for a slot)" : "")
                        + ", asked again at the next analysis");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new QueryResult.Unusable("interrupted while waiting to query Prometheus");
        }
        long start = nanoTime.getAsLong();
        try {
            return query.get();
        } finally {
            long end = nanoTime.getAsLong();
            account.charge(end, end - start);
            account.slots.release();
        }
    }

    @Override
    public Duration minQueryRange() {
        return inner.minQueryRange();
    }

    @Override
    public Duration scrapeInterval() {
        return inner.scrapeInterval();
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e9);
    }

    /** One namespace's running queries and the time its queries took within the window. */
    private static final class Account {
        final Semaphore slots;
        private final Deque<long[]> spent = new ArrayDeque<>(); // {ended at, took}
        private long total;

        Account(int slots) {
            this.slots = new Semaphore(slots);
        }

        synchronized long used(long now, long window) {
            while (!spent.isEmpty() && now - spent.peekFirst()[0] >= window) {
                total -= spent.pollFirst()[1];
            }
            return total;
        }

        synchronized void charge(long endedAt, long took) {
            spent.addLast(new long[] {endedAt, took});
            total += took;
        }
    }
}
