package dev.fledge.operator.workload;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.HostPathMounts;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.ServingStatus;
import dev.fledge.core.rollout.EventReason;
import dev.fledge.core.rollout.RolloutEvent;
import dev.fledge.core.rollout.ServingIdentity;
import dev.fledge.core.rollout.SpecWarning;
import dev.fledge.core.rollout.TrafficSplit;
import dev.fledge.operator.routing.Replicas;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Keeps the stable and canary Deployments and their Services as the split needs them. The canary runs the spec's
 * serving configuration; the stable Deployment runs the one recorded at its promotion ({@code status.stable}, in the
 * split), whatever the spec says meanwhile, and only its replicas follow the spec at once. A canary that is no longer
 * wanted keeps its pods here: {@link #scaleDownCanary} scales it to zero (its replicas only), once the routes have
 * moved away from it and the delay has passed ({@link CanaryDrain}). {@link Handover} says in which order. Both
 * tracks mount the release's one response-id key ({@link FeedbackKey}), created before their first pod.
 */
public final class Workloads {
    /** Condition type: stable keeps a pod template of an older operator (or other model-pod settings). */
    public static final String STABLE_TEMPLATE_KEPT = "StableTemplateKept";

    private static final Logger LOG = Logger.getLogger(Workloads.class);
    /** Condition type: the recorded stable configuration, or a kept template, fails the operator's current policy. */
    public static final String STABLE_CONFIG_REFUSED = "StableConfigRefused";

    private static final String RECORDED_CONFIG_REFUSED = "RecordedConfigRefused";
    private static final String KEPT_TEMPLATE_REFUSED = "KeptTemplateRefused";

    private final Applier applier;
    private final DesiredDeployment deployments;
    private final DesiredService services;
    private final ServingConfig serving;
    private final FeedbackKey feedbackKey;
    private final ServingPolicy policy;
    private final LiveServing live;
    private final CanaryPods canaryPods;
    private final Autoscalers autoscalers;
    /** The last failure of {@link #lockHostPaths} per Deployment (namespace/name), so that it is recorded once. */
    private final Map<String, String> lockFailures = new ConcurrentHashMap<>();
    /** The generation each Deployment (namespace/name) had after {@link #lockHostPaths} patched it. */
    private final Map<String, Locked> locked = new ConcurrentHashMap<>();

    private record Locked(String uid, long generation) {}

    public Workloads(
            Applier applier,
            DesiredDeployment deployments,
            DesiredService services,
            ServingConfig serving,
            FeedbackKey feedbackKey,
            ServingPolicy policy,
            CanaryPods canaryPods,
            Autoscalers autoscalers) {
        this.canaryPods = canaryPods;
        this.autoscalers = autoscalers;
        this.applier = applier;
        this.feedbackKey = feedbackKey;
        this.deployments = deployments;
        this.services = services;
        this.serving = serving;
        this.policy = policy;
        this.live = new LiveServing(deployments, serving);
    }

    /**
     * {@code st}, with the identities an older operator did not record ({@code status.stable},
     * {@code status.canaryConfigHash}) read from the live Deployments ({@link LiveServing}): never assumed to match
     * the spec. The status itself is left as it is.
     */
    public ModelReleaseStatus withLiveIdentity(
            ModelRelease mr, ModelReleaseStatus st, Deployment stable, Deployment canary) {
        return live.complete(mr, st, stable, canary);
    }

    /** Why the canary does not become ready, read from its pods ({@link CanaryPods}). */
    public Optional<SpecWarning> canaryTrouble(ModelRelease mr, Deployment canary, ServingIdentity wanted) {
        return canaryPods.look(mr, canary, wanted);
    }

    /** Drops what is kept for a deleted release. */
    public void forget(ModelRelease mr) {
        canaryPods.forget(mr);
        autoscalers.forget(mr);
        for (String track : List.of(Labels.TRACK_STABLE, Labels.TRACK_CANARY)) {
            String key = mr.getMetadata().getNamespace() + "/" + Names.deployment(mr, track);
            lockFailures.remove(key);
            locked.remove(key);
        }
    }

    /** The serving configuration the spec asks for (what a canary of it runs). */
    public ServingStatus serving(ModelRelease mr) {
        return serving.of(mr);
    }

    /**
     * The stable Deployment: the recorded configuration (the spec's while promoting) at its replicas for the split. One
     * that runs that configuration in a pod template of another {@link DesiredDeployment#TEMPLATE_REVISION} (built by
     * an older operator, or with other model-pod settings) keeps that template, which passed its gates, and gets its
     * replicas only: the template this operator builds reaches stable at the next promotion, after the canary ran it.
     * A recorded configuration ({@code status.stable}) that the operator's current policy refuses is never applied
     * (review of issue 15, LOW 4): stable keeps what it runs and gets its replicas only, under the condition
     * {@value #STABLE_CONFIG_REFUSED} ({@link #refusedStable}).
     */
    public void applyStable(ModelRelease mr, TrafficSplit split, Replicas replicas, Deployment stable) {
        applyStable(mr, split, replicas, stable, false);
    }

    /**
     * As {@link #applyStable(ModelRelease, TrafficSplit, Replicas, Deployment)}; {@code invalidSpec}: the release's
     * spec is invalid ({@link InvalidHandover}), so nothing of its {@code server.autoscaling} is acted on (no autoscaler
     * written, deleted or handed replicas): the Deployment gets the replicas given.
     */
    public void applyStable(
            ModelRelease mr, TrafficSplit split, Replicas replicas, Deployment stable, boolean invalidSpec) {
        if (split.stableVersion() == null) {
            return;
        }
        Optional<ServingStatus> wanted = stableServing(mr, split, stable);
        if (wanted.isEmpty()) {
            return;
        }
        ServingStatus s = wanted.get();
        boolean refused = split.stableServing() != null
                && !policy.refusals(split.stableServing()).isEmpty();
        boolean autoscaled = !invalidSpec && Autoscalers.of(mr).isPresent();
        if (refused || keepsTemplate(mr, stable, s)) {
            if (stable == null) {
                return;
            }
            if (autoscaled) {
                autoscalers.follow(mr, Labels.TRACK_STABLE, stable, replicas.stable());
            } else if (!Integer.valueOf(replicas.stable())
                    .equals(stable.getSpec().getReplicas())) {
                autoscalers.scale(stable, replicas.stable(), invalidSpec);
            }
            return;
        }
        ensureKey(mr, stable);
        Deployment desired =
                withKeptTemplate(deployments.build(mr, Labels.TRACK_STABLE, s, replicas.stable()), split, s, stable);
        Deployment written =
                applier.applyIfChanged(invalidSpec ? desired : autoscalers.prepare(mr, desired, stable), stable);
        if (autoscaled) {
            autoscalers.follow(mr, Labels.TRACK_STABLE, written, replicas.stable());
        }
    }

    /**
     * {@code desired} with the older template a promotion replaces ({@link KeptTemplate}): kept in an annotation while
     * the promotion is under way (the split records no stable configuration then), and put back when stable returns
     * to the configuration it ran.
     */
    private Deployment withKeptTemplate(Deployment desired, TrafficSplit split, ServingStatus s, Deployment stable) {
        if (stable == null || stable.getSpec() == null || stable.getSpec().getTemplate() == null) {
            return KeptTemplate.noneIn(desired);
        }
        Optional<KeptTemplate> kept = KeptTemplate.keptBy(stable);
        if (kept.isPresent() && kept.get().runs(s)) {
            Optional<String> why = templateRefusal(kept.get().template(), s, releaseOf(stable));
            if (why.isEmpty()) {
                return kept.get().restoredIn(desired);
            }
            // not one an operator built for this configuration: the configuration as this operator builds it
            LOG.warnf(
                    "%s/%s: the pod template kept in %s is not restored (%s)",
                    stable.getMetadata().getNamespace(),
                    stable.getMetadata().getName(),
                    KeptTemplate.ANNOTATION,
                    why.get());
            return KeptTemplate.noneIn(desired);
        }
        if (!DesiredDeployment.templateRevision(stable).equals(Optional.of(deployments.templateRevision()))) {
            return KeptTemplate.of(stable).keptIn(desired);
        }
        return kept.isPresent() && split.stableServing() == null
                ? kept.get().keptIn(desired)
                : KeptTemplate.noneIn(desired);
    }

    /**
     * Whether the stable Deployment runs {@code serving} (its version label and configuration hash) in a pod template of
     * another revision than this operator builds (none recorded: built before revisions were).
     */
    private boolean keepsTemplate(ModelRelease mr, Deployment stable, ServingStatus serving) {
        if (!builtOtherwise(stable)
                || !Readiness.runs(stable, new ServingIdentity(serving.getVersion(), serving.getConfigHash()))) {
            return false;
        }
        // the live template is held to what an operator built, as a kept one is: an edit of the Deployment (and a
        // revision annotation that says "another operator") would otherwise keep any pod until the next promotion
        Optional<String> why = templateRefusal(
                stable.getSpec().getTemplate(), serving, mr.getMetadata().getName());
        why.ifPresent(w -> LOG.warnf(
                "%s/%s: the stable pod template of another revision is not kept (%s); it is rebuilt from the recorded"
                        + " configuration",
                stable.getMetadata().getNamespace(), stable.getMetadata().getName(), w));
        return why.isEmpty();
    }

    /**
     * Whether the Deployment has a pod template of another {@link DesiredDeployment#TEMPLATE_REVISION} than this
     * operator builds (an older operator's, or one built with other model-pod settings; none recorded: built before
     * revisions were).
     */
    public boolean builtOtherwise(Deployment d) {
        return d != null
                && d.getSpec() != null
                && !DesiredDeployment.templateRevision(d).equals(Optional.of(deployments.templateRevision()));
    }

    /**
     * A condition {@value #STABLE_TEMPLATE_KEPT} while the stable Deployment has a pod template of another revision
     * than this operator builds (it keeps it until the next promotion, {@link #applyStable}).
     */
    public Optional<SpecWarning> olderStableTemplate(Deployment stable) {
        if (stable == null) {
            return Optional.empty();
        }
        String current = deployments.templateRevision();
        Optional<String> revision = DesiredDeployment.templateRevision(stable);
        if (revision.equals(Optional.of(current))) {
            return Optional.empty();
        }
        return Optional.of(new SpecWarning(
                STABLE_TEMPLATE_KEPT,
                "OperatorTemplateChanged",
                "the stable Deployment keeps the pod template it was promoted with (template revision "
                        + revision.orElse("unrecorded") + "; this operator builds " + current
                        + "): only its replicas change until the next promotion, after a canary has run the new one"));
    }

    /**
     * A condition {@value #STABLE_CONFIG_REFUSED} while the stable track's recorded configuration ({@code
     * status.stable}, {@code recorded}) fails the operator's current policy, so {@link #applyStable} only scales stable
     * (reason {@value #RECORDED_CONFIG_REFUSED}), or while the stable Deployment keeps a pod template for it that no
     * operator built (reason {@value #KEPT_TEMPLATE_REFUSED}), which is not restored: stable gets the recorded
     * configuration as this operator builds it.
     */
    public Optional<SpecWarning> refusedStable(ServingStatus recorded, Deployment stable) {
        if (recorded == null) {
            return Optional.empty();
        }
        List<String> refusals = policy.refusals(recorded);
        if (!refusals.isEmpty()) {
            return Optional.of(new SpecWarning(
                    STABLE_CONFIG_REFUSED,
                    RECORDED_CONFIG_REFUSED,
                    "the recorded stable configuration is not applied, the operator's policy refuses it: "
                            + String.join("; ", refusals)
                            + "; the stable Deployment keeps what it runs and only its replicas change"));
        }
        return KeptTemplate.keptBy(stable)
                .filter(k -> k.runs(recorded))
                .flatMap(k -> templateRefusal(k.template(), recorded, releaseOf(stable)))
                .map(why -> new SpecWarning(
                        STABLE_CONFIG_REFUSED,
                        KEPT_TEMPLATE_REFUSED,
                        "the pod template kept in " + KeptTemplate.ANNOTATION + " is not restored: " + why
                                + "; stable runs the recorded configuration in the template this operator builds"));
    }

    /**
     * Why {@code template}, built by another operator revision, may not run {@code serving} for {@code release}
     * ({@link KeptTemplateCheck}, against what this operator sets); empty when it may.
     */
    private Optional<String> templateRefusal(PodTemplateSpec template, ServingStatus serving, String release) {
        return KeptTemplateCheck.refusal(
                template,
                serving,
                deployments.operatorEnvValues(release, serving),
                deployments.hardening(),
                deployments.upstreamPod(release, serving));
    }

    /** The release of its stable Deployment, by the Deployment's name ({@link Names#deployment}). */
    private static String releaseOf(Deployment stable) {
        String name = stable.getMetadata().getName();
        String suffix = "-" + Labels.TRACK_STABLE;
        return name.endsWith(suffix) ? name.substring(0, name.length() - suffix.length()) : name;
    }

    /** The canary Deployment of a split that runs one: the spec's configuration ({@link Handover} says when). */
    public void applyCanary(ModelRelease mr, TrafficSplit split, Replicas replicas, Deployment canary) {
        if (split.canaryRunning()) {
            ensureKey(mr, canary);
            Deployment desired = deployments.build(mr, Labels.TRACK_CANARY, serving.of(mr), replicas.canary());
            Deployment written = applier.applyIfChanged(autoscalers.prepare(mr, desired, canary), canary);
            if (Autoscalers.of(mr).isPresent()) {
                autoscalers.follow(mr, Labels.TRACK_CANARY, written, replicas.canary());
            }
        }
    }

    /**
     * The release's key Secret before a Deployment that mounts it is applied. If the create fails (a namespace whose
     * Secret quota is full answers 403 "exceeded quota" even for a Secret that exists, and an operator restart forgets
     * that it was created) while {@code existing} already mounts the key, the key was created before: the Deployment is
     * applied all the same (a rollback must still grow stable), and the failure is logged. A Deployment that does not
     * mount it yet is not applied without it.
     */
    private void ensureKey(ModelRelease mr, Deployment existing) {
        try {
            feedbackKey.ensure(mr);
        } catch (KubernetesClientException e) {
            if (!DesiredDeployment.mountsFeedbackKey(existing)) {
                throw e;
            }
            LOG.warnf(
                    "%s/%s: could not assert the key Secret %s (%d: %s); %s already mounts it, applied all the same",
                    mr.getMetadata().getNamespace(),
                    mr.getMetadata().getName(),
                    Names.feedbackKey(mr),
                    e.getCode(),
                    e.getMessage(),
                    existing.getMetadata().getName());
        }
    }

    /**
     * The canary of a split that runs one, its replicas only (its pod template stays as it is): for a canary whose
     * template this operator builds otherwise while users are on it ({@link Handover}).
     */
    public void scaleCanary(ModelRelease mr, Deployment canary, TrafficSplit split, Replicas replicas) {
        if (!split.canaryRunning() || canary == null) {
            return;
        }
        if (Autoscalers.of(mr).isPresent()) {
            autoscalers.follow(mr, Labels.TRACK_CANARY, canary, replicas.canary());
        } else if (!Integer.valueOf(replicas.canary()).equals(canary.getSpec().getReplicas())) {
            autoscalers.scale(canary, replicas.canary(), false);
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
    public void scaleDownCanary(ModelRelease mr, Deployment canary) {
        if (CanaryDrain.hasPods(canary)) {
            autoscalers.scaleToZero(mr, canary);
        }
    }

    /**
     * The mounts of a hostPath volume that {@code d} (a Deployment of {@code mr}) has writable, made read-only
     * ({@link HostPathLock}), whatever else this pass does to it. Returns a Warning to record: {@code
     * HostPathMadeReadOnly} when the patch changed the Deployment (its pods are replaced by a rolling update), {@code
     * HostPathLockFailed} when it failed, once per new failure of that Deployment (each pass tries again and logs it);
     * empty when there was nothing to do, or the Deployment is gone.
     */
    public Optional<RolloutEvent> lockHostPaths(ModelRelease mr, Deployment d) {
        List<HostPathLock.Writable> writable = HostPathLock.writable(d);
        if (writable.isEmpty() || !Ownership.controlledBy(d, mr)) {
            return Optional.empty();
        }
        String key = d.getMetadata().getNamespace() + "/" + d.getMetadata().getName();
        Locked last = locked.get(key);
        if (last != null
                && last.uid().equals(d.getMetadata().getUid())
                && d.getMetadata().getGeneration() != null
                && d.getMetadata().getGeneration() < last.generation()) {
            return Optional.empty(); // a cached copy from before this operator's patch
        }
        String which = writable.stream()
                .map(w -> "volume " + w.volume() + " in " + w.containerName())
                .distinct()
                .collect(Collectors.joining(", "));
        try {
            Deployment patched = applier.patch(d, HostPathLock.operations(writable));
            lockFailures.remove(key);
            if (patched != null && patched.getMetadata().getGeneration() != null) {
                locked.put(
                        key,
                        new Locked(
                                d.getMetadata().getUid(), patched.getMetadata().getGeneration()));
            }
            return Optional.of(new RolloutEvent(
                    EventReason.HostPathMadeReadOnly,
                    "Deployment " + d.getMetadata().getName() + " mounted a hostPath volume writable (" + which
                            + "), which no release may (" + HostPathMounts.MESSAGE + "): those mounts are now"
                            + " read-only, and a rolling update replaces its pods"));
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                lockFailures.remove(key);
                return Optional.empty();
            }
            String why = "Deployment " + d.getMetadata().getName() + " mounts a hostPath volume writable (" + which
                    + "), which no release may; making it read-only failed (" + e.getCode() + ": " + e.getMessage()
                    + "), tried again at every pass";
            LOG.warnf("%s: %s", key, why);
            String failure = e.getCode() + " " + e.getMessage();
            return failure.equals(lockFailures.put(key, failure))
                    ? Optional.empty()
                    : Optional.of(new RolloutEvent(EventReason.HostPathLockFailed, why));
        }
    }

    /** Scales stable to {@code replicas} (its replicas only: its pod template stays as it is). */
    public void scaleStable(Deployment stable, int replicas) {
        autoscalers.scale(stable, replicas, true);
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
        return DesiredDeployment.fledgeContainer(
                        existing.getSpec().getTemplate().getSpec().getContainers())
                .flatMap(c -> c.getEnv().stream()
                        .filter(e -> "FLEDGE_MODEL_URI".equals(e.getName()))
                        .findFirst())
                .map(EnvVar::getValue);
    }
}
