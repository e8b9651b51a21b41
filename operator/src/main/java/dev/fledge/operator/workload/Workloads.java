package dev.fledge.operator.workload;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.ServingStatus;
import dev.fledge.core.rollout.TrafficSplit;
import dev.fledge.operator.routing.Replicas;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Optional;

/**
 * Keeps the stable and canary Deployments and their Services as the split needs them. The canary runs the spec's
 * serving configuration; the stable Deployment runs the one recorded at its promotion ({@code status.stable}, in the
 * split), whatever the spec says meanwhile, and only its replicas follow the spec at once. A canary that is no longer
 * wanted keeps its pods here: {@link #scaleDownCanary} scales it to zero (its replicas only), once the routes have
 * moved away from it and the delay has passed ({@link CanaryDrain}). {@link Handover} says in which order. Both
 * tracks mount the release's one response-id key ({@link FeedbackKey}), created before their first pod.
 */
public final class Workloads {
    private final Applier applier;
    private final DesiredDeployment deployments;
    private final DesiredService services;
    private final ServingConfig serving;
    private final FeedbackKey feedbackKey;

    public Workloads(
            Applier applier,
            DesiredDeployment deployments,
            DesiredService services,
            ServingConfig serving,
            FeedbackKey feedbackKey) {
        this.applier = applier;
        this.feedbackKey = feedbackKey;
        this.deployments = deployments;
        this.services = services;
        this.serving = serving;
    }

    /** The serving configuration the spec asks for (what a canary of it runs). */
    public ServingStatus serving(ModelRelease mr) {
        return serving.of(mr);
    }

    /** The stable Deployment: the recorded configuration (the spec's while promoting) at its replicas for the split. */
    public void applyStable(ModelRelease mr, TrafficSplit split, Replicas replicas, Deployment stable) {
        if (split.stableVersion() != null) {
            feedbackKey.ensure(mr);
            stableServing(mr, split, stable)
                    .ifPresent(s -> applier.applyIfChanged(
                            deployments.build(mr, Labels.TRACK_STABLE, s, replicas.stable()), stable));
        }
    }

    /** The canary Deployment of a split that runs one: the spec's configuration ({@link Handover} says when). */
    public void applyCanary(ModelRelease mr, TrafficSplit split, Replicas replicas, Deployment canary) {
        if (split.canaryRunning()) {
            feedbackKey.ensure(mr);
            applier.applyIfChanged(
                    deployments.build(mr, Labels.TRACK_CANARY, serving.of(mr), replicas.canary()), canary);
        }
    }

    /** The Services {@code x-stable} and {@code x-canary}, each selecting its track. */
    public void applyServices(ModelRelease mr) {
        applier.applyIfChanged(services.build(mr, Names.trackService(mr, Labels.TRACK_STABLE), Labels.TRACK_STABLE));
        applier.applyIfChanged(services.build(mr, Names.trackService(mr, Labels.TRACK_CANARY), Labels.TRACK_CANARY));
    }

    /**
     * What the stable Deployment runs: the recorded configuration; the spec's while promoting (the split records
     * none then). A release promoted before {@code status.stable} existed has none recorded until its next promotion:
     * its stable keeps the URI it runs, with the rest from the spec, as before.
     */
    private Optional<ServingStatus> stableServing(ModelRelease mr, TrafficSplit split, Deployment existing) {
        if (split.stableServing() != null) {
            return Optional.of(split.stableServing());
        }
        ServingStatus spec = serving.of(mr);
        return uri(mr, split.stableVersion(), existing)
                .map(uri -> ServingConfig.withVersion(spec, split.stableVersion(), uri));
    }

    /**
     * Scales a canary the split no longer runs to zero ({@link CanaryDrain} says when): only its replicas change, its pod
     * template stays as it is.
     */
    public void scaleDownCanary(Deployment canary) {
        if (CanaryDrain.hasPods(canary)) {
            applier.scale(canary, 0);
        }
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
