package dev.fledge.operator.gates;

import dev.fledge.operator.gates.feedback.FeedbackGates;
import dev.fledge.operator.gates.metric.HttpPrometheus;
import dev.fledge.operator.gates.metric.MetricGate;
import dev.fledge.operator.gates.metric.MetricGates;
import dev.fledge.operator.gates.metric.MetricsBackend;
import dev.fledge.operator.gates.metric.PrometheusSettings;
import dev.fledge.operator.gates.safety.CanaryEndpoint;
import dev.fledge.operator.gates.safety.ConfigMapSafetyReports;
import dev.fledge.operator.gates.safety.ConfigMapSuites;
import dev.fledge.operator.gates.safety.HttpCanaryModel;
import dev.fledge.operator.gates.safety.ModerationJudge;
import dev.fledge.operator.gates.safety.SafetyGate;
import dev.fledge.operator.gates.safety.SafetyGates;
import dev.fledge.operator.gates.safety.SafetySettings;
import dev.fledge.operator.workload.Applier;
import dev.fledge.operator.workload.ServerDefaults;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The gate backends of the operator, from its settings: Prometheus for metric, online-safety and feedback gates;
 * the canary's Service and a moderation judge for the safety suite. A kind whose backend is not configured stays an
 * {@link UnavailableGate} (Inconclusive, never a pass).
 */
public final class AnalysisGates {
    private AnalysisGates() {}

    public static GateProvider provider(
            Optional<PrometheusSettings> prometheus,
            KubernetesClient client,
            ServerDefaults defaults,
            SafetySettings safety) {
        return provider(prometheus, client, CanaryEndpoint.clusterService(defaults), safety);
    }

    /**
     * As above, with the one place where the canary's in-cluster Service address is replaced (the local
     * end-to-end harness runs the canary as a process on a loopback port).
     */
    public static GateProvider provider(
            Optional<PrometheusSettings> prometheus,
            KubernetesClient client,
            CanaryEndpoint canary,
            SafetySettings safety) {
        Optional<MetricsBackend> metrics = prometheus.map(HttpPrometheus::new);
        Map<String, ConfiguredGates.Factory> factories = new HashMap<>();
        metrics.ifPresent(m -> factories.put(MetricGate.KIND, new MetricGates(m)));
        metrics.ifPresent(m -> factories.put(FeedbackGates.KIND, new FeedbackGates(m)));
        factories.put(
                SafetyGate.KIND,
                new SafetyGates(new SafetyGate.SafetyCollaborators(
                        new ConfigMapSuites(client),
                        canary,
                        url -> new HttpCanaryModel(
                                url,
                                safety.limits().promptTimeout(SafetySettings.DEFAULT_PROMPT_TIMEOUT),
                                safety.maxTokens(),
                                safety.limits().maxResponseBytes()),
                        (url, timeout) -> new ModerationJudge(
                                url, timeout, safety.limits().maxResponseBytes()),
                        safety,
                        metrics,
                        new ConfigMapSafetyReports(new Applier(client, Clock.systemUTC())))));
        return new ConfiguredGates(factories);
    }
}
