package dev.fledge.operator.workload;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.core.rollout.TrafficSplit;
import dev.fledge.operator.routing.Replicas;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Optional;

/**
 * Keeps the stable and canary Deployments and their Services as the split needs them. The stable Deployment keeps
 * the model URI it runs (the spec only names the new version's URI). A canary that is no longer wanted keeps its
 * pods here: {@link #scaleDownCanary} scales it to zero, keeping its template, once the routes have moved away from it
 * and the delay has passed ({@link CanaryDrain}).
 */
public final class Workloads {
    private final Applier applier;
    private final DesiredDeployment deployments;
    private final DesiredService services;

    public Workloads(Applier applier, DesiredDeployment deployments, DesiredService services) {
        this.applier = applier;
        this.deployments = deployments;
        this.services = services;
    }

    public void apply(ModelRelease mr, TrafficSplit split, Replicas replicas, Deployment stable, Deployment canary) {
        if (split.stableVersion() != null) {
            uri(mr, split.stableVersion(), stable)
                    .ifPresent(uri -> applier.applyIfChanged(
                            deployments.build(mr, Labels.TRACK_STABLE, split.stableVersion(), uri, replicas.stable()),
                            stable));
        }
        if (split.canaryRunning()) {
            applier.applyIfChanged(
                    deployments.build(
                            mr,
                            Labels.TRACK_CANARY,
                            split.canaryVersion(),
                            mr.getSpec().getModel().getUri(),
                            replicas.canary()),
                    canary);
        }
        applier.applyIfChanged(services.build(mr, Names.trackService(mr, Labels.TRACK_STABLE), Labels.TRACK_STABLE));
        applier.applyIfChanged(services.build(mr, Names.trackService(mr, Labels.TRACK_CANARY), Labels.TRACK_CANARY));
    }

    /** Scales a canary the split no longer runs to zero, keeping its template ({@link CanaryDrain} says when). */
    public void scaleDownCanary(ModelRelease mr, Deployment canary) {
        if (!CanaryDrain.hasPods(canary)) {
            return;
        }
        String version =
                canary.getSpec().getTemplate().getMetadata().getLabels().get(Labels.VERSION);
        uri(mr, version, canary)
                .ifPresent(uri ->
                        applier.applyIfChanged(deployments.build(mr, Labels.TRACK_CANARY, version, uri, 0), canary));
    }

    /** The URI of a version: the spec's for the spec's version, otherwise what the existing Deployment runs. */
    private static Optional<String> uri(ModelRelease mr, String version, Deployment existing) {
        if (version.equals(mr.getSpec().getModel().getVersion())) {
            return Optional.of(mr.getSpec().getModel().getUri());
        }
        if (existing == null
                || !version.equals(existing.getSpec()
                        .getTemplate()
                        .getMetadata()
                        .getLabels()
                        .get(Labels.VERSION))) {
            return Optional.empty();
        }
        return existing.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> ServerDefaults.CONTAINER.equals(c.getName()))
                .findFirst()
                .flatMap(c -> c.getEnv().stream()
                        .filter(e -> "FLEDGE_MODEL_URI".equals(e.getName()))
                        .findFirst())
                .map(EnvVar::getValue);
    }
}
