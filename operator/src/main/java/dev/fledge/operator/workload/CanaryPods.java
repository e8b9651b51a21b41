package dev.fledge.operator.workload;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.core.rollout.ServingIdentity;
import dev.fledge.core.rollout.SpecWarning;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Says why a canary that runs the wanted version is not ready ({@link PodTrouble}), as the condition
 * {@value #CANARY_NOT_READY}: without it, a model archive whose sha256 does not match, an image that cannot be
 * pulled or a pod no node can take showed only as "waiting for the canary" until {@code progressDeadline}. Its pods
 * are listed (by the release, track and version labels) only while the canary is not ready, and at most every
 * {@link #EVERY} per release unless the canary Deployment changed; a list the operator may not make (no {@code list}
 * on pods) gives no condition, and a Warning in the log once per namespace.
 */
public final class CanaryPods {
    /** Condition type: True while the canary runs the wanted version, is not ready, and its pods say why. */
    public static final String CANARY_NOT_READY = "CanaryNotReady";

    static final Duration EVERY = Duration.ofSeconds(15);
    private static final Logger LOG = Logger.getLogger(CanaryPods.class);

    private final KubernetesClient client;
    private final Clock clock;
    /** By release uid: the last look, so a burst of passes lists the pods once. */
    private final Map<String, Look> looks = new ConcurrentHashMap<>();
    /** Namespaces where the operator may not list pods, logged once each. */
    private final Set<String> refused = ConcurrentHashMap.newKeySet();

    private record Look(Instant at, String deployment, Optional<PodTrouble.Found> found) {}

    /**
     * What a pass learns: the condition to show (empty when nothing is wrong or nothing was read), and whether it says
     * something the previous look did not (worth one Warning event).
     */
    public record Seen(Optional<SpecWarning> condition, boolean news) {
        static final Seen NOTHING = new Seen(Optional.empty(), false);
    }

    public CanaryPods(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /**
     * The canary's trouble, when it is to run (replicas above 0), runs {@code wanted} and is not ready;
     * {@link Seen#NOTHING} otherwise.
     */
    public Seen look(ModelRelease mr, Deployment canary, ServingIdentity wanted) {
        String uid = mr.getMetadata().getUid();
        if (canary == null
                || canary.getSpec() == null
                || canary.getSpec().getReplicas() == null
                || canary.getSpec().getReplicas() < 1
                || !Readiness.runs(canary, wanted)
                || Readiness.ready(canary, wanted)) {
            if (uid != null) {
                looks.remove(uid);
            }
            return Seen.NOTHING;
        }
        Instant now = clock.instant();
        Look before = uid == null ? null : looks.get(uid);
        String seenAs = canary.getMetadata().getResourceVersion();
        if (before != null
                && Objects.equals(before.deployment(), seenAs)
                && Duration.between(before.at(), now).compareTo(EVERY) < 0) {
            return new Seen(before.found().map(CanaryPods::condition), false);
        }
        Optional<PodTrouble.Found> found = PodTrouble.of(canary, pods(mr, wanted));
        if (uid != null) {
            looks.put(uid, new Look(now, seenAs, found));
        }
        boolean news = found.isPresent() && (before == null || !found.equals(before.found()));
        return new Seen(found.map(CanaryPods::condition), news);
    }

    /** Drops what is kept for a release (it was deleted). */
    public void forget(ModelRelease mr) {
        if (mr.getMetadata().getUid() != null) {
            looks.remove(mr.getMetadata().getUid());
        }
    }

    private List<Pod> pods(ModelRelease mr, ServingIdentity wanted) {
        String ns = mr.getMetadata().getNamespace();
        try {
            return client.pods()
                    .inNamespace(ns)
                    .withLabels(Map.of(
                            Labels.RELEASE, mr.getMetadata().getName(),
                            Labels.TRACK, Labels.TRACK_CANARY,
                            Labels.VERSION, wanted.version()))
                    .list()
                    .getItems();
        } catch (KubernetesClientException e) {
            if (refused.add(ns)) {
                LOG.warnf(
                        "cannot list the canary pods of %s/%s (%d: %s): releases in %s get no %s condition (the"
                                + " operator's role needs list on pods, docs/security.md)",
                        ns, mr.getMetadata().getName(), e.getCode(), e.getMessage(), ns, CANARY_NOT_READY);
            }
            return List.of();
        }
    }

    private static SpecWarning condition(PodTrouble.Found f) {
        return new SpecWarning(CANARY_NOT_READY, f.reason(), "the canary is not ready: " + f.message());
    }
}
