package dev.fledge.operator.gates;

import dev.fledge.api.ModelRelease;
import dev.fledge.core.rollout.GatePlan;
import dev.fledge.core.rollout.Plan;
import dev.fledge.core.rollout.PlanResolver;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The default {@link GateProvider}: one gate per configured name, built by the factory registered for its kind.
 * A kind with no factory becomes an {@link UnavailableGate}, which holds the stage rather than passing it.
 */
public final class ConfiguredGates implements GateProvider {
    public interface Factory extends Function<GateSpecRef, Gate> {}

    /** A gate by name and kind ({@code metric}, {@code safety} or {@code feedback}) within one release. */
    public record GateSpecRef(ModelRelease release, Plan plan, GatePlan gate, String kind) {}

    private final Map<String, Factory> factories;
    private final GateWakeups wakeups;
    private final Consumer<String> forget;

    public ConfiguredGates(Map<String, Factory> factories) {
        this(factories, new GateWakeups());
    }

    public ConfiguredGates(Map<String, Factory> factories, GateWakeups wakeups) {
        this(factories, wakeups, release -> {});
    }

    /** {@code forget} is told a deleted release ({@code namespace/name}), e.g. to drop its suite run. */
    public ConfiguredGates(Map<String, Factory> factories, GateWakeups wakeups, Consumer<String> forget) {
        this.factories = Map.copyOf(factories);
        this.wakeups = wakeups;
        this.forget = forget;
    }

    @Override
    public void forget(String namespace, String name) {
        forget.accept(namespace + "/" + name);
        wakeups.forget(namespace + "/" + name);
    }

    @Override
    public GateWakeups wakeups() {
        return wakeups;
    }

    @Override
    public List<Gate> gates(ModelRelease release, Plan plan) {
        return plan.gates().stream()
                .map(g -> {
                    String kind = kindOf(g.name());
                    Factory f = factories.get(kind);
                    return f == null
                            ? new UnavailableGate(
                                    g.name(), kind, "no " + kind + " gate backend is configured in this operator")
                            : f.apply(new GateSpecRef(release, plan, g, kind));
                })
                .toList();
    }

    static String kindOf(String gateName) {
        return switch (gateName) {
            case PlanResolver.SAFETY_GATE -> "safety";
            case PlanResolver.FEEDBACK_GATE -> "feedback";
            default -> "metric";
        };
    }
}
