package dev.fledge.operator.routing;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.core.rollout.Plan;
import dev.fledge.core.rollout.Stage;
import dev.fledge.core.rollout.TrafficSplit;
import dev.fledge.operator.workload.Applier;
import dev.fledge.operator.workload.DesiredService;
import dev.fledge.operator.workload.Names;
import dev.fledge.operator.workload.PublicTarget;
import io.fabric8.kubernetes.api.model.Service;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Works on any cluster: the audience Services {@code x-internal} and {@code x-closed} select the canary from their
 * stage on; the public Service {@code x} selects stable, canary, or both, and the public weight is approximated by
 * replica counts (as Argo Rollouts does without a mesh): with N replicas, the canary gets ceil(w·N/100) and stable
 * N − floor(w·N/100), at least one each. Precision is therefore 1/(stable+canary). The public Service targets the
 * pods' public port ({@link PublicTarget}), where the model server ignores any audience header a client sends; the
 * audience Services target the port that honours it.
 */
public final class ReplicasRouter implements TrafficRouter {
    private final Applier applier;
    private final DesiredService services;
    private final StaleRoutes stale;
    private final PublicTarget publicTarget;

    public ReplicasRouter(Applier applier, DesiredService services, StaleRoutes stale, PublicTarget publicTarget) {
        this.applier = applier;
        this.services = services;
        this.stale = stale;
        this.publicTarget = publicTarget;
    }

    @Override
    public List<String> validate(ModelRelease release) {
        return List.of();
    }

    @Override
    public Replicas replicas(Plan plan, TrafficSplit split) {
        int n = plan.replicas();
        int stable = split.stableVersion() == null ? 0 : n;
        if (!split.canaryRunning()) {
            return new Replicas(stable, 0);
        }
        int w = split.publicCanaryWeight();
        if (stable > 0 && w > 0 && w < 100) {
            return new Replicas(
                    Math.max(1, n - (int) Math.floor(w * n / 100.0)), Math.max(1, (int) Math.ceil(w * n / 100.0)));
        }
        return new Replicas(stable, n);
    }

    @Override
    public boolean splitsByReplicas() {
        return true;
    }

    @Override
    public Optional<String> apply(ModelRelease release, TrafficSplit split) {
        return apply(release, split, false);
    }

    /**
     * With {@code holdCanaryPublic} the public Service selects both tracks: a rollback or promotion at a public weight
     * below 100% leaves stable with fewer pods than it needs, and the canary's pods keep serving until it has them.
     */
    @Override
    public Optional<String> apply(ModelRelease release, TrafficSplit split, boolean holdCanaryPublic) {
        List<String> diffs = new ArrayList<>();
        for (Service want : desired(release, split, holdCanaryPublic)) {
            Service have = applier.applyIfChanged(want).orElse(null);
            if (have == null) {
                continue;
            }
            Map<String, String> got = have == null ? null : have.getSpec().getSelector();
            if (!Objects.equals(got, want.getSpec().getSelector())) {
                diffs.add("Service " + want.getMetadata().getName() + " selects " + got + ", want "
                        + want.getSpec().getSelector());
            }
        }
        // the HTTPRoutes of an earlier gatewayAPI router; a failed sweep is drift, so it is reported and retried soon
        stale.sweep(release, Set.of(), true, false).ifPresent(diffs::add);
        return diffs.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", diffs));
    }

    private List<Service> desired(ModelRelease release, TrafficSplit split, boolean holdCanaryPublic) {
        int w = split.canaryRunning() ? split.publicCanaryWeight() : 0;
        String publicTrack =
                holdCanaryPublic ? null : w == 0 ? Labels.TRACK_STABLE : w == 100 ? Labels.TRACK_CANARY : null;
        return List.of(
                services.build(release, Names.publicService(release), publicTrack, publicTarget.portName(release)),
                services.build(
                        release,
                        Names.audienceService(release, Stage.INTERNAL.wireName()),
                        track(split, Stage.INTERNAL)),
                services.build(
                        release, Names.audienceService(release, Stage.CLOSED.wireName()), track(split, Stage.CLOSED)));
    }

    private static String track(TrafficSplit split, Stage audience) {
        return split.canaryRunning() && split.audienceOnCanary(audience.wireName())
                ? Labels.TRACK_CANARY
                : Labels.TRACK_STABLE;
    }
}
