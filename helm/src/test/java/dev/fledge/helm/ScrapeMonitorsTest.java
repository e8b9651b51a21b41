package dev.fledge.helm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.testsupport.FledgeChart;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Prometheus must scrape the model pods the operator creates, or every gate stays Inconclusive;
 * and the operator's own {@code namespace} label must survive prometheus-operator's relabelling.
 */
class ScrapeMonitorsTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(HasMetadata resource) {
        return (Map<String, Object>)
                ((GenericKubernetesResource) resource).getAdditionalProperties().get("spec");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> firstEndpoint(HasMetadata monitor, String key) {
        return ((List<Map<String, Object>>) spec(monitor).get(key)).get(0);
    }

    @Test
    void theOperatorsServiceMonitorKeepsItsNamespaceLabel() {
        HasMetadata monitor = ChartUnderTest.render("serviceMonitor: {enabled: true}\n")
                .ofKind("ServiceMonitor")
                .get(0);

        assertThat(firstEndpoint(monitor, "endpoints")).containsEntry("honorLabels", true);
    }

    @Test
    void modelPodsAreScrapedWheneverServiceMonitorsAreOnWithTheNamespaceFromTheTarget() {
        FledgeChart chart =
                ChartUnderTest.render("serviceMonitor: {enabled: true, labels: {release: kube-prometheus-stack}}\n");
        HasMetadata pods = chart.ofKind("PodMonitor").get(0);

        assertThat(pods.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
        assertThat(firstEndpoint(pods, "podMetricsEndpoints"))
                .containsEntry("port", "http")
                .containsEntry("path", "/metrics")
                .containsEntry("honorLabels", false);
        assertThat(spec(pods).get("namespaceSelector")).isEqualTo(Map.of("any", true));
        assertThat(spec(pods).get("selector").toString()).contains("fledge.dev/release");
    }

    @Test
    void aNamespaceScopedInstallScrapesOnlyItsNamespaces() {
        HasMetadata pods = ChartUnderTest.render(
                        "watchNamespaces: [team-a, team-b]\nmodelPodMonitor: {enabled: true}\n")
                .ofKind("PodMonitor")
                .get(0);

        assertThat(spec(pods).get("namespaceSelector")).isEqualTo(Map.of("matchNames", List.of("team-a", "team-b")));
    }

    @Test
    void thePodMonitorCanBeTurnedOffOnItsOwnAndIsOffWithoutPrometheusOperator() {
        assertThat(ChartUnderTest.render("{}\n").ofKind("PodMonitor")).isEmpty();
        assertThat(ChartUnderTest.render("serviceMonitor: {enabled: true}\nmodelPodMonitor: {enabled: false}\n")
                        .ofKind("PodMonitor"))
                .isEmpty();
    }

    @Test
    void aShortPodScrapeIntervalNeverGetsALongerScrapeTimeout() {
        // Prometheus refuses a scrape job whose timeout is longer than its interval
        Map<String, Object> endpoint = firstEndpoint(
                ChartUnderTest.render("serviceMonitor: {enabled: true}\nmodelPodMonitor: {interval: 5s}\n")
                        .ofKind("PodMonitor")
                        .get(0),
                "podMetricsEndpoints");

        assertThat(endpoint).containsEntry("interval", "5s").doesNotContainKey("scrapeTimeout");
        assertThat(firstEndpoint(
                        ChartUnderTest.render(
                                        "serviceMonitor: {enabled: true}\nmodelPodMonitor: {interval: 30s, scrapeTimeout: 20s}\n")
                                .ofKind("PodMonitor")
                                .get(0),
                        "podMetricsEndpoints"))
                .containsEntry("scrapeTimeout", "20s");
    }

    @Test
    void theOperatorIsToldTheScrapeIntervalThePodMonitorUses() {
        FledgeChart chart =
                ChartUnderTest.render("serviceMonitor: {enabled: true}\nmodelPodMonitor: {interval: 30s}\n");

        assertThat(firstEndpoint(chart.ofKind("PodMonitor").get(0), "podMetricsEndpoints"))
                .containsEntry("interval", "30s");
        assertThat(chart.operatorEnv("FLEDGE_PROMETHEUS_SCRAPE_INTERVAL")).isEqualTo("30s");
        assertThat(ChartUnderTest.render("{}\n").operatorEnv("FLEDGE_PROMETHEUS_SCRAPE_INTERVAL"))
                .isEqualTo("15s");
    }
    /**
     * Review of issue 15, LOW 2: a tenant may choose its model image, and the shared Prometheus scrapes every model
     * pod; without limits one pod could flood it with series or huge labels. The limits are per target, so a pod past
     * them fails only its own scrape.
     */
    @Test
    void thePodMonitorLimitsWhatOneModelPodMayAddToTheSharedPrometheus() {
        Map<String, Object> spec = spec(ChartUnderTest.render("serviceMonitor: {enabled: true}\n")
                .ofKind("PodMonitor")
                .get(0));

        assertThat(spec)
                .containsEntry("sampleLimit", 5000)
                .containsEntry("labelLimit", 64)
                .containsEntry("labelNameLengthLimit", 128)
                .containsEntry("labelValueLengthLimit", 1024)
                .doesNotContainKey("targetLimit");
    }

    @Test
    void thePodMonitorLimitsCanBeChanged() {
        Map<String, Object> spec = spec(ChartUnderTest.render("serviceMonitor: {enabled: true}\n"
                        + "modelPodMonitor: {sampleLimit: 2000000, labelLimit: 30, labelNameLengthLimit: 0,"
                        + " labelValueLengthLimit: 4096}\n")
                .ofKind("PodMonitor")
                .get(0));

        assertThat(spec)
                .containsEntry("sampleLimit", 2000000)
                .containsEntry("labelLimit", 30)
                .containsEntry("labelNameLengthLimit", 0)
                .containsEntry("labelValueLengthLimit", 4096);
    }
}
