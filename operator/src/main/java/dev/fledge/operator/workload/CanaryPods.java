package dev.fledge.operator.workload;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.core.rollout.ServingIdentity;
import dev.fledge.core.rollout.SpecWarning;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
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
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Says why a canary that runs the wanted version is not ready ({@link PodTrouble}), as the condition
 * {@value #CANARY_NOT_READY}: without it, a model archive whose sha256 does not match, an image that cannot be
 * pulled or a pod no node can take showed only as "waiting for the canary" until {@code progressDeadline}.
 *
 * <p>Its pods are listed (by the release, track and version labels; at most {@link #LIMIT}, from the API server's
 * cache) only while the canary is not ready, once its Deployment has made no progress for {@link #GRACE} (pods that
 * are only being pulled or started are not looked at), and at most every {@link #EVERY} per release unless the
 * canary's pod template changes. A list that fails keeps what was seen before; one the operator may not make (403:
 * no {@code list} on pods) is not tried again in that namespace for {@link #REFUSED_FOR}, and logged once then.
 */
public final class CanaryPods {
    /** Condition type: True while the canary runs the wanted version, is not ready, and its pods say why. */
    public static final String CANARY_NOT_READY = "CanaryNotReady";

    static final Duration EVERY = Duration.ofSeconds(15);
    static final Duration GRACE = Duration.ofSeconds(30);
    static final Duration REFUSED_FOR = Duration.ofMinutes(10);
    static final long LIMIT = 50;
    private static final Logger LOG = Logger.getLogger(CanaryPods.class);

    private final KubernetesClient client;
    private final Clock clock;
    /** By release uid: the last look, so a burst of passes lists the pods once. */
    private final Map<String, Look> looks = new ConcurrentHashMap<>();
    /** Namespaces where a list failed: until when it is not tried again (403) or logged again (other errors). */
    private final Map<String, Failed> failing = new ConcurrentHashMap<>();

    private record Look(Instant at, Long generation, Optional<PodTrouble.Found> found) {}

    private record Failed(Instant until, boolean forbidden) {}

    public CanaryPods(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /**
     * The condition for the canary, when it is to run (replicas above 0), runs {@code wanted}, is not ready and its
     * pods say why; empty otherwise.
     */
    public Optional<SpecWarning> look(ModelRelease mr, Deployment canary, ServingIdentity wanted) {
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
            return Optional.empty();
        }
        Instant now = clock.instant();
        Look before = uid == null ? null : looks.get(uid);
        Long generation = canary.getMetadata().getGeneration();
        boolean fresh = before != null
                && Objects.equals(before.generation(), generation)
                && Duration.between(before.at(), now).compareTo(EVERY) < 0;
        if (fresh || !settled(canary, now)) {
            return before == null || !Objects.equals(before.generation(), generation)
                    ? Optional.empty()
                    : before.found().map(CanaryPods::condition);
        }
        Optional<List<Pod>> pods = pods(mr, wanted, now);
        if (pods.isEmpty()) {
            return before == null ? Optional.empty() : before.found().map(CanaryPods::condition);
        }
        Optional<PodTrouble.Found> found = PodTrouble.of(canary, pods.get(), now);
        if (uid != null) {
            looks.put(uid, new Look(now, generation, found));
        }
        return found.map(CanaryPods::condition);
    }

    /** Drops what is kept for a release (it was deleted). */
    public void forget(ModelRelease mr) {
        if (mr.getMetadata().getUid() != null) {
            looks.remove(mr.getMetadata().getUid());
        }
    }

    /**
     * The Deployment controller has seen the canary's template and reported no progress for {@link #GRACE}: its
     * {@code Progressing} condition was last updated that long ago (a Deployment without that condition, as some
     * tests write it, counts as settled once observed).
     */
    private static boolean settled(Deployment d, Instant now) {
        var s = d.getStatus();
        if (s == null
                || s.getObservedGeneration() == null
                || (d.getMetadata().getGeneration() != null
                        && s.getObservedGeneration() < d.getMetadata().getGeneration())) {
            return false;
        }
        if (s.getConditions() == null) {
            return true;
        }
        return s.getConditions().stream()
                .filter(c -> "Progressing".equals(c.getType()) && c.getLastUpdateTime() != null)
                .findFirst()
                .map(c -> {
                    try {
                        return Instant.parse(c.getLastUpdateTime()).plus(GRACE).isBefore(now);
                    } catch (RuntimeException e) {
                        return true;
                    }
                })
                .orElse(true);
    }

    /** The canary's pods of {@code wanted}'s version, or empty when they cannot be read now. */
    private Optional<List<Pod>> pods(ModelRelease mr, ServingIdentity wanted, Instant now) {
        String ns = mr.getMetadata().getNamespace();
        Failed before = failing.get(ns);
        Instant until = before == null ? null : before.until();
        if (before != null && before.forbidden() && now.isBefore(until)) {
            return Optional.empty();
        }
        try {
            List<Pod> items = client.pods()
                    .inNamespace(ns)
                    .withLabels(Map.of(
                            Labels.RELEASE, mr.getMetadata().getName(),
                            Labels.TRACK, Labels.TRACK_CANARY,
                            Labels.VERSION, wanted.version()))
                    .list(new ListOptionsBuilder()
                            .withResourceVersion("0")
                            .withLimit(LIMIT)
                            .build())
                    .getItems();
            failing.remove(ns);
            return Optional.of(items);
        } catch (KubernetesClientException e) {
            boolean forbidden = e.getCode() == 403;
            if (until == null || !now.isBefore(until)) {
                failing.put(ns, new Failed(now.plus(REFUSED_FOR), forbidden));
                LOG.warnf(
                        "cannot list the canary pods of %s/%s (%d: %s): %s",
                        ns,
                        mr.getMetadata().getName(),
                        e.getCode(),
                        e.getMessage(),
                        forbidden
                                ? "releases in " + ns + " get no " + CANARY_NOT_READY + " condition for "
                                        + REFUSED_FOR.toMinutes() + " min (the operator's role needs list on pods,"
                                        + " docs/security.md)"
                                : "the " + CANARY_NOT_READY + " condition keeps what was seen before (not logged"
                                        + " again for " + REFUSED_FOR.toMinutes() + " min)");
            }
            return Optional.empty();
        }
    }

    private static SpecWarning condition(PodTrouble.Found f) {
        return new SpecWarning(CANARY_NOT_READY, f.reason(), "the canary is not ready: " + f.message());
    }
}
