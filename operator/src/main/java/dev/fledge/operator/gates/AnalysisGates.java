package dev.fledge.operator.gates;

import dev.fledge.operator.gates.metric.HttpPrometheus;
import dev.fledge.operator.gates.metric.MetricGate;
import dev.fledge.operator.gates.metric.MetricGates;
import dev.fledge.operator.gates.metric.PrometheusSettings;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The gate backends of the operator, from its settings: Prometheus for metric gates. A kind whose backend is not
 * configured stays an {@link UnavailableGate} (Inconclusive, never a pass).
 */
public final class AnalysisGates {
    private AnalysisGates() {
    }

    public static GateProvider provider(Optional<PrometheusSettings> prometheus) {
        Map<String, ConfiguredGates.Factory> factories = new HashMap<>();
        prometheus.ifPresent(p -> factories.put(MetricGate.KIND, new MetricGates(new HttpPrometheus(p))));
        return new ConfiguredGates(factories);
    }
}
