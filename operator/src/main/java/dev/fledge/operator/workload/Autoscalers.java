package dev.fledge.operator.workload;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AutoscalingSpec;
import dev.fledge.core.rollout.AutoscaledFloor;
import dev.fledge.operator.k8s.LeanItemStore;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpecBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * {@code spec.server.autoscaling}: one HorizontalPodAutoscaler per track ({@code <release>-stable}, {@code
 * <release>-canary}, named as its Deployment), owned by the release. The autoscaler alone sizes a track; the operator
 * never writes {@code spec.replicas} over it:
 * <ul>
 * <li>the Deployment's server-side apply leaves {@code replicas} out. A Deployment whose replicas that apply owned
 * (autoscaling turned on later) is first handed over ({@link #handOver}): dropping a field that one manager alone owns
 * from its apply deletes it, and the Deployment would fall back to 1 replica;</li>
 * <li>the operator sets each autoscaler's floor ({@code minReplicas}) for the pass ({@link AutoscaledFloor}), and
 * raises a Deployment that is below it at once (the autoscaler would too, at its next sync): never lowers one.</li>
 * </ul>
 * Turning autoscaling off deletes the release's autoscaler of a Deployment an autoscaler has sized (its replicas are
 * owned through the scale subresource) before the operator's apply takes {@code replicas} back, so the two never
 * fight; a canary's autoscaler goes before the canary is scaled to zero.
 */
public final class Autoscalers {
    private static final Logger LOG = Logger.getLogger(Autoscalers.class);

    /** The field manager that keeps {@code spec.replicas} while the operator's apply lets go of it. */
    public static final String HAND_OVER_MANAGER = "fledge-replicas-handover";

    /** The field manager of the operator's raise of a Deployment to its autoscaler's floor. */
    public static final String FLOOR_MANAGER = "fledge-autoscaler-floor";

    private final KubernetesClient client;
    private final Applier applier;
    /**
     * Deployments (namespace/name) whose autoscaler of the release's name is known to be gone, with the uid they had,
     * so that a Deployment an autoscaler once sized is not looked up again at every pass once autoscaling is off.
     */
    private final Map<String, String> removed = new java.util.concurrent.ConcurrentHashMap<>();

    public Autoscalers(KubernetesClient client, Applier applier) {
        this.client = client;
        this.applier = applier;
    }

    /** The release's autoscaling settings, if it has any. */
    public static Optional<AutoscalingSpec> of(ModelRelease mr) {
        return mr.getSpec() == null || mr.getSpec().getServer() == null
                ? Optional.empty()
                : Optional.ofNullable(mr.getSpec().getServer().getAutoscaling());
    }

    /**
     * {@code desired} as the release applies it: without {@code replicas} under autoscaling. {@code live} (the
     * Deployment as it is, or null) is handed over first when needed; without autoscaling, the autoscaler of a
     * Deployment that one has sized is deleted first.
     */
    public Deployment prepare(ModelRelease mr, Deployment desired, Deployment live) {
        if (of(mr).isEmpty()) {
            if (live != null && !released(live)) {
                // an autoscaler of the release may still size it: this pass keeps the replicas it runs, no fight
                return new DeploymentBuilder(desired)
                        .editSpec()
                        .withReplicas(live.getSpec().getReplicas())
                        .endSpec()
                        .build();
            }
            return desired;
        }
        if (live != null) {
            removed.remove(key(live));
        }
        if (!handOver(live)) {
            // dropping replicas now would set the Deployment to 1: the pass is retried, nothing of it is lost
            throw new KubernetesClientException(
                    "the replicas of Deployment " + live.getMetadata().getName()
                            + " could not be handed over to its autoscaler yet; retried",
                    409,
                    null);
        }
        return new DeploymentBuilder(desired)
                .editSpec()
                .withReplicas(null)
                .endSpec()
                .build();
    }

    /**
     * Whether no autoscaler of the release sizes {@code d} any more: none may ({@link #scaledByAutoscaler}), or the one
     * of its name is gone or not the release's (looked up once per Deployment uid), or it was deleted now. False when
     * that could not be done (logged; the next pass tries again).
     */
    boolean released(Deployment d) {
        if (!scaledByAutoscaler(d) || d.getMetadata().getUid().equals(removed.get(key(d)))) {
            return true;
        }
        try {
            removeFor(d);
            return true;
        } catch (KubernetesClientException e) {
            // a 403 where the namespace's RBAC lacks autoscalers must not stop the release's other writes
            LOG.warnf(
                    "%s/%s: its autoscaler could not be looked up or deleted (%d: %s); its replicas are left as they"
                            + " are, tried again next pass",
                    d.getMetadata().getNamespace(), d.getMetadata().getName(), e.getCode(), e.getMessage());
            return false;
        }
    }

    /**
     * Sets only the replicas of {@code d} for a release without autoscaling (or with an invalid spec, {@code
     * invalidSpec}, whose autoscaling is not acted on). While an autoscaler may still size it (its own could not be
     * deleted; an invalid spec's is left alone) it is raised only, never lowered over the autoscaler.
     */
    public void scale(Deployment d, int replicas, boolean invalidSpec) {
        if (scaledByAutoscaler(d) && (invalidSpec || !released(d))) {
            if (Readiness.replicas(d) < replicas) {
                raise(d, replicas);
            }
            return;
        }
        applier.scale(d, replicas);
    }

    /**
     * Scales a canary the routes left to zero. Under autoscaling (or when an autoscaler sized it) its autoscaler is
     * deleted first, best effort (an autoscaler does nothing to a Deployment at zero replicas), and zero is written as
     * {@value #FLOOR_MANAGER}: a manager only autoscaling uses still owns its replicas, so an autoscaler left behind is
     * still found when the next rollout grows it.
     */
    public void scaleToZero(ModelRelease mr, Deployment canary) {
        if (of(mr).isEmpty() && !scaledByAutoscaler(canary)) {
            applier.scale(canary, 0);
            return;
        }
        try {
            removeFor(canary);
        } catch (KubernetesClientException e) {
            LOG.warnf(
                    "%s/%s: its autoscaler was not deleted (%d: %s); it is scaled to zero all the same",
                    canary.getMetadata().getNamespace(), canary.getMetadata().getName(), e.getCode(), e.getMessage());
        }
        applier.patch(canary, List.of(Map.of("op", "replace", "path", "/spec/replicas", "value", 0)), FLOOR_MANAGER);
    }

    /**
     * The track's autoscaler with its floor at {@code replicas} (within the release's bounds), and the Deployment
     * ({@code live}, as this pass left it) raised to that floor if it is below.
     */
    public void follow(ModelRelease mr, String track, Deployment live, int replicas) {
        AutoscalingSpec autoscaling = of(mr).orElseThrow();
        int floor = AutoscaledFloor.clamp(autoscaling, Math.max(1, replicas));
        if (live != null && live.getSpec() != null) {
            removed.remove(key(live));
            Integer now = live.getSpec().getReplicas();
            if (now == null || now < floor) {
                raise(live, floor);
            } else if (!scaledByAutoscaler(live)) {
                // a manager only autoscaling uses owns replicas, so turning autoscaling off finds the autoscaler
                keep(live);
            }
        }
        applier.applyIfChanged(desired(mr, track, autoscaling, floor));
    }

    /**
     * Raises {@code live} (the informer's copy) to {@code floor}, only if it still has the replicas that copy says (a
     * JSON patch test): an autoscaler that scaled it up meanwhile is never lowered. A failed test or a Deployment gone
     * is left to the next pass.
     */
    private void raise(Deployment live, int floor) {
        try {
            applier.patch(
                    live,
                    List.of(
                            Map.of("op", "test", "path", "/spec/replicas", "value", Readiness.replicas(live)),
                            Map.of("op", "replace", "path", "/spec/replicas", "value", floor)),
                    FLOOR_MANAGER);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409 && e.getCode() != 422 && e.getCode() != 404) {
                throw e;
            }
            LOG.debugf(
                    "%s/%s: not raised to %d (%d: %s); next pass",
                    live.getMetadata().getNamespace(),
                    live.getMetadata().getName(),
                    floor,
                    e.getCode(),
                    e.getMessage());
        }
    }

    /** The autoscaler of {@code release}'s {@code track} at {@code floor}. */
    static HorizontalPodAutoscaler desired(ModelRelease mr, String track, AutoscalingSpec autoscaling, int floor) {
        String name = Names.deployment(mr, track);
        int max = Math.max(floor, AutoscaledFloor.max(autoscaling));
        return new HorizontalPodAutoscalerBuilder()
                .withMetadata(Owned.meta(mr, name, Map.of(Labels.TRACK, track)))
                .withNewSpec()
                .withNewScaleTargetRef()
                .withApiVersion("apps/v1")
                .withKind("Deployment")
                .withName(name)
                .endScaleTargetRef()
                .withMinReplicas(floor)
                .withMaxReplicas(max)
                .withMetrics(metrics(autoscaling))
                .endSpec()
                .build();
    }

    private static List<MetricSpec> metrics(AutoscalingSpec autoscaling) {
        List<MetricSpec> metrics = new ArrayList<>();
        Integer cpu = autoscaling.getTargetCPUUtilization();
        if (cpu == null && autoscaling.getPodsMetric() == null) {
            cpu = AutoscalingSpec.DEFAULT_CPU_UTILIZATION;
        }
        if (cpu != null) {
            // the model container's own CPU: a sidecar (fledge-proxy) or a container without a CPU request does not
            // count, as a pod-wide Resource metric would
            metrics.add(new MetricSpecBuilder()
                    .withType("ContainerResource")
                    .withNewContainerResource()
                    .withContainer(ServerDefaults.CONTAINER)
                    .withName("cpu")
                    .withNewTarget()
                    .withType("Utilization")
                    .withAverageUtilization(cpu)
                    .endTarget()
                    .endContainerResource()
                    .build());
        }
        if (autoscaling.getPodsMetric() != null) {
            metrics.add(new MetricSpecBuilder()
                    .withType("Pods")
                    .withNewPods()
                    .withNewMetric()
                    .withName(autoscaling.getPodsMetric().getName())
                    .endMetric()
                    .withNewTarget()
                    .withType("AverageValue")
                    .withAverageValue(new Quantity(autoscaling.getPodsMetric().getAverageValue()))
                    .endTarget()
                    .endPods()
                    .build());
        }
        return metrics;
    }

    /**
     * Gives {@code spec.replicas} of {@code live} a second owner, {@value #HAND_OVER_MANAGER}, with the value it has,
     * when the operator's apply owns it: that apply can then leave it out without the API server deleting it. Nothing
     * when the Deployment does not exist yet (created without replicas, it starts at 1 and is raised to its floor).
     */
    boolean handOver(Deployment live) {
        if (live == null || live.getSpec() == null || !ownedByApply(live)) {
            return true;
        }
        return keep(live);
    }

    /** {@value #HAND_OVER_MANAGER} co-owns {@code spec.replicas} of {@code live} at its value; false if refused. */
    private boolean keep(Deployment live) {
        Deployment keep = new DeploymentBuilder()
                .withNewMetadata()
                .withName(live.getMetadata().getName())
                .withNamespace(live.getMetadata().getNamespace())
                .withUid(live.getMetadata().getUid())
                .withResourceVersion(live.getMetadata().getResourceVersion()) // stale: 409, never undo a scale
                .endMetadata()
                .withNewSpec()
                .withReplicas(Readiness.replicas(live))
                .endSpec()
                .build();
        try {
            client.resource(keep)
                    .fieldManager(HAND_OVER_MANAGER)
                    .forceConflicts()
                    .serverSideApply();
            return true;
        } catch (KubernetesClientException e) {
            LOG.warnf(
                    "%s/%s: replicas not handed over (%d: %s); the operator keeps writing them this pass",
                    live.getMetadata().getNamespace(), live.getMetadata().getName(), e.getCode(), e.getMessage());
            return false;
        }
    }

    /**
     * Deletes the autoscaler named as {@code d} when it is controlled by the release that controls {@code d} (one
     * the release does not own is left alone). A missing one is fine.
     */
    public void removeFor(Deployment d) {
        if (d == null) {
            return;
        }
        var hpas = client.autoscaling()
                .v2()
                .horizontalPodAutoscalers()
                .inNamespace(d.getMetadata().getNamespace())
                .withName(d.getMetadata().getName());
        for (int attempt = 1; ; attempt++) {
            HorizontalPodAutoscaler hpa = hpas.get();
            if (hpa == null) {
                applier.forget(new HorizontalPodAutoscalerBuilder()
                        .withNewMetadata()
                        .withName(d.getMetadata().getName())
                        .withNamespace(d.getMetadata().getNamespace())
                        .endMetadata()
                        .build());
                removed.put(key(d), d.getMetadata().getUid());
                return;
            }
            if (!Ownership.sameController(d, hpa)) {
                LOG.warnf(
                        "%s/%s: the HorizontalPodAutoscaler of that name is not the release's; left as it is",
                        d.getMetadata().getNamespace(), d.getMetadata().getName());
                removed.put(key(d), d.getMetadata().getUid()); // not looked up again for this Deployment
                return;
            }
            try {
                // the version read: one recreated under that name meanwhile (someone else's) is not deleted
                hpas.lockResourceVersion(hpa.getMetadata().getResourceVersion()).delete();
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409 && attempt < 3) {
                    continue; // its controller wrote its status meanwhile: read it again
                }
                if (e.getCode() != 404) {
                    throw e;
                }
            }
            applier.forget(hpa);
            removed.put(key(d), d.getMetadata().getUid());
            return;
        }
    }

    /** Drops what is kept for a deleted release. */
    public void forget(ModelRelease mr) {
        for (String track : List.of(Labels.TRACK_STABLE, Labels.TRACK_CANARY)) {
            removed.remove(mr.getMetadata().getNamespace() + "/" + Names.deployment(mr, track));
        }
    }

    private static String key(Deployment d) {
        return d.getMetadata().getNamespace() + "/" + d.getMetadata().getName();
    }

    /**
     * Whether an autoscaler may size {@code d}: its {@code spec.replicas} is owned through the scale subresource (an
     * autoscaler's write), or by a manager this class writes it as only under autoscaling ({@value #HAND_OVER_MANAGER},
     * {@value #FLOOR_MANAGER}).
     */
    public static boolean scaledByAutoscaler(Deployment d) {
        return managers(d).stream()
                .anyMatch(m -> LeanItemStore.ownsReplicas(m)
                        && ("scale".equals(m.getSubresource())
                                || HAND_OVER_MANAGER.equals(m.getManager())
                                || FLOOR_MANAGER.equals(m.getManager())));
    }

    /** Whether the operator's server-side apply owns {@code spec.replicas} of {@code d}. */
    static boolean ownedByApply(Deployment d) {
        return managers(d).stream()
                .anyMatch(m -> Applier.FIELD_MANAGER.equals(m.getManager())
                        && "Apply".equals(m.getOperation())
                        && (m.getSubresource() == null || m.getSubresource().isEmpty())
                        && LeanItemStore.ownsReplicas(m));
    }

    private static List<ManagedFieldsEntry> managers(Deployment d) {
        return d == null || d.getMetadata() == null || d.getMetadata().getManagedFields() == null
                ? List.of()
                : d.getMetadata().getManagedFields();
    }
}
