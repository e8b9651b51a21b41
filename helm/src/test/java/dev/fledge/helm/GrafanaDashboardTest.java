package dev.fledge.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class GrafanaDashboardTest {

    private static final JsonNode DASHBOARD = parse();

    private static JsonNode parse() {
        String json = ChartUnderTest.render().one(ConfigMap.class).getData().get("fledge-releases.json");
        try {
            return new ObjectMapper().readTree(json);
        } catch (Exception e) {
            throw new AssertionError("dashboard is not JSON", e);
        }
    }

    private static Map<String, String> exprByPanelTitle() {
        List<JsonNode> panels = new ArrayList<>();
        DASHBOARD.get("panels").forEach(panels::add);
        return panels.stream()
                .collect(Collectors.toMap(
                        p -> p.get("title").asText(),
                        p -> p.get("targets").get(0).get("expr").asText()));
    }

    @Test
    void showsPhaseCanaryWeightGateVerdictsAndPosteriorBoundsPerRelease() {
        Map<String, String> panels = exprByPanelTitle();

        assertThat(panels)
                .hasEntrySatisfying("Release phase", e -> assertThat(e).contains("fledge_release_phase"));
        assertThat(panels)
                .hasEntrySatisfying(
                        "Canary weight (public traffic %)",
                        e -> assertThat(e).contains("fledge_release_canary_weight"));
        assertThat(panels)
                .hasEntrySatisfying(
                        "Gate verdicts",
                        e -> assertThat(e)
                                .contains("fledge_gate_verdicts_total")
                                .contains("verdict"));
        assertThat(panels)
                .hasEntrySatisfying(
                        "Gate posterior upper bound", e -> assertThat(e).contains("fledge_gate_posterior_upper"));
    }

    @Test
    void everyPanelFiltersByTheNamespaceAndReleaseVariables() {
        List<String> variables = new ArrayList<>();
        DASHBOARD
                .get("templating")
                .get("list")
                .forEach(v -> variables.add(v.get("name").asText()));

        assertThat(variables).contains("datasource", "namespace", "release");
        assertThat(exprByPanelTitle().values())
                .allSatisfy(e -> assertThat(e).contains("namespace=~\"$namespace\"", "release=~\"$release\""));
    }

    @Test
    void panelsReadOnlyMetricsTheOperatorExports() {
        assertThat(exprByPanelTitle().values())
                .allSatisfy(e -> assertThat(OperatorMetrics.EXPORTED).containsAll(OperatorMetrics.usedBy(e)));
    }

    @Test
    void hasAStableUidSoReinstallsUpdateTheSameDashboard() {
        assertThat(DASHBOARD.get("uid").asText()).isEqualTo("fledge-releases");
    }
}
