package dev.fledge.e2e.gates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.operator.gates.metric.BudgetedMetrics;
import dev.fledge.operator.gates.metric.HttpPrometheus;
import dev.fledge.operator.gates.metric.PrometheusSettings;
import dev.fledge.operator.gates.metric.QueryBudget;
import dev.fledge.operator.gates.metric.QueryResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 review (HIGH 2) on a real Prometheus: prom-label-proxy confines which series a tenant's query sees, not what
 * it costs. A subquery over days at a 1 s resolution keeps Prometheus busy past the operator's timeout; the operator
 * charges that time to the tenant's namespace and stops sending its queries, while another namespace's still go out.
 */
@Tag("prometheus")
class QueryBudgetOnRealPrometheusTest {
    static final String COSTLY = "max_over_time(max_over_time(vector(1)[1h:1s])[30d:1s])";

    @Test
    void aTenantWhoseQueriesTakePrometheusTimeIsStoppedAndAnotherTenantIsNot() throws Exception {
        Path dir = Files.createTempDirectory("fledge-budget");
        // Prometheus stops a query at its own --query.timeout (2 min by default), not when the operator stops waiting:
        // as an operator of a shared Prometheus would, end the costly ones at the operator's 2 s, or each holds a core
        // for minutes and team-b's answer waits behind them on a 2-core machine (a CI flake, not the budget)
        try (RealProcess prometheus = RealProcess.prometheus("", dir, List.of("--query.timeout=2s"))) {
            HttpPrometheus direct =
                    new HttpPrometheus(PrometheusSettings.of(prometheus.url()).withTimeout(Duration.ofSeconds(2)));
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> direct.query("vector(1)") instanceof QueryResult.Value);
            var budget = new QueryBudget(4, Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofMinutes(1));
            var metrics = new BudgetedMetrics(direct, budget);

            QueryResult first = metrics.query("team-a", COSTLY);
            QueryResult second = metrics.query("team-a", COSTLY);
            long before = System.nanoTime();
            QueryResult third = metrics.query("team-a", COSTLY);
            Duration refusedIn = Duration.ofNanos(System.nanoTime() - before);

            assertThat(List.of(first, second))
                    .as("the costly query outlasts the operator's 2 s timeout, so it is no verdict")
                    .allMatch(QueryResult.Unusable.class::isInstance);
            assertThat(third)
                    .isInstanceOfSatisfying(
                            QueryResult.Unusable.class,
                            u -> assertThat(u.reason())
                                    .contains("namespace team-a has used its Prometheus query time")
                                    .doesNotContain("vector"));
            assertThat(refusedIn).as("refused without asking Prometheus").isLessThan(Duration.ofMillis(500));
            assertThat(metrics.query("team-b", "vector(7)"))
                    .isInstanceOfSatisfying(
                            QueryResult.Value.class, v -> assertThat(v.value()).isEqualTo(7));
        }
    }
}
