package dev.fledge.helm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.testsupport.FledgeChart;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PrometheusRuleTest {

    private static final FledgeChart CHART = ChartUnderTest.render("""
            serviceMonitor: {enabled: true}
            prometheusRule: {enabled: true, rolloutStuckGrace: 15m, labels: {release: kube-prometheus-stack}}
            """);

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> alerts() {
        var rule = (GenericKubernetesResource) CHART.ofKind("PrometheusRule").get(0);
        var spec = (Map<String, Object>) rule.getAdditionalProperties().get("spec");
        var groups = (List<Map<String, Object>>) spec.get("groups");
        return groups.stream()
                .flatMap(g -> ((List<Map<String, Object>>) g.get("rules")).stream())
                .collect(Collectors.toMap(r -> (String) r.get("alert"), r -> r));
    }

    @Test
    void alertsOnRollbackStuckRolloutAndOperatorDown() {
        assertThat(alerts()).containsKeys("FledgeReleaseRolledBack", "FledgeRolloutStuck", "FledgeOperatorDown");
    }

    @Test
    void rollbackAlertWatchesTransitionsToRolledBack() {
        assertThat((String) alerts().get("FledgeReleaseRolledBack").get("expr"))
                .contains("fledge_release_transitions_total{to=\"RolledBack\"}");
    }

    @Test
    void stuckRolloutWaitsTheGracePastTheReleasesOwnDeadline() {
        Map<String, Object> stuck = alerts().get("FledgeRolloutStuck");

        assertThat(stuck.get("for")).isEqualTo("15m");
        assertThat((String) stuck.get("expr"))
                .contains("fledge_release_progress_deadline_timestamp_seconds > 0")
                .contains("< time()");
    }

    @Test
    void operatorDownWatchesTheScrapeJobOfTheMetricsService() {
        String job = CHART.one(Service.class).getMetadata().getName();

        assertThat((String) alerts().get("FledgeOperatorDown").get("expr"))
                .contains("absent(up{job=\"" + job + "\", namespace=\"" + ChartUnderTest.NAMESPACE + "\"} == 1)");
        assertThat(alerts().get("FledgeOperatorDown").get("labels")).isEqualTo(Map.of("severity", "critical"));
    }

    @Test
    void alertsReadOnlyMetricsTheOperatorExports() {
        assertThat(alerts().values())
                .allSatisfy(rule -> assertThat(OperatorMetrics.EXPORTED)
                        .containsAll(OperatorMetrics.usedBy((String) rule.get("expr"))));
    }

    @Test
    void alertTemplatesReachPrometheusUnrendered() {
        Map<?, ?> annotations =
                (Map<?, ?>) alerts().get("FledgeReleaseRolledBack").get("annotations");

        assertThat((String) annotations.get("summary")).contains("{{ $labels.namespace }}/{{ $labels.release }}");
    }

    @Test
    void ruleCarriesTheLabelsThePrometheusSelectorNeeds() {
        assertThat(CHART.ofKind("PrometheusRule").get(0).getMetadata().getLabels())
                .containsEntry("release", "kube-prometheus-stack");
    }
}
