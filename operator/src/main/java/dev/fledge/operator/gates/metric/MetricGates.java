package dev.fledge.operator.gates.metric;

import dev.fledge.api.spec.MetricSpec;
import dev.fledge.operator.gates.ConfiguredGates;
import dev.fledge.operator.gates.Gate;
import dev.fledge.operator.gates.UnavailableGate;
import java.util.List;
import java.util.Optional;

/** The factory of {@code metric} gates: finds the named metric in the release and binds it to the backend. */
public final class MetricGates implements ConfiguredGates.Factory {
    private final MetricsBackend backend;

    public MetricGates(MetricsBackend backend) {
        this.backend = backend;
    }

    @Override
    public Gate apply(ConfiguredGates.GateSpecRef ref) {
        String name = ref.gate().name();
        List<MetricSpec> metrics = Optional.ofNullable(ref.release().getSpec().getAnalysis())
                .map(a -> a.getMetrics())
                .orElse(List.of());
        return metrics.stream()
                .filter(m -> name.equals(m.getName()))
                .findFirst()
                .<Gate>map(m -> new MetricGate(m, backend))
                .orElseGet(() -> new UnavailableGate(
                        name, MetricGate.KIND, "no metric named " + name + " in spec.analysis.metrics"));
    }
}
