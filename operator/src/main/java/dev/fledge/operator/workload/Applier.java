package dev.fledge.operator.workload;

import dev.fledge.operator.k8s.OwnedObjects;
import dev.fledge.operator.k8s.Spread;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Writes desired objects with server-side apply, as field manager {@code fledge-operator}. At scale most reconciles
 * change nothing, and each skipped apply is one API request less (bench-operator: server-side applies were most of a
 * reconcile's time), so it can skip a write:
 * <ul>
 * <li>for an object the operator sees through an informer (Deployments; Services and HTTPRoutes through
 * {@link OwnedObjects}), when the cached object is the one it last wrote from the same desired state and nobody has
 * changed it since (its generation, or for a kind without one, such as a Service, its resource version);</li>
 * <li>for the others (HTTPRoutes on a cluster that did not serve them when the operator started, InferencePools,
 * HorizontalPodAutoscalers), when it wrote the same desired state less than {@link #REASSERT} ago (less up to a
 * quarter by object, {@link Spread}). A change someone
 * else makes to them is put right at the next change of the split, or within that period.</li>
 * </ul>
 * It never writes onto an object that the release does not already control ({@link Ownership}): before a write it
 * looks at the informer's copy, or reads the object (one GET per actual write, none for a skipped one).
 */
public final class Applier {
    public static final String FIELD_MANAGER = "fledge-operator";
    private static final int REMEMBERED = 20_000;
    public static final Duration REASSERT = Duration.ofMinutes(5);

    private final KubernetesClient client;
    private final Clock clock;
    private final OwnedObjects owned;
    private final Map<String, Written> written = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Written> eldest) {
            return size() > REMEMBERED;
        }
    };

    /**
     * What the last apply of an object wrote: the desired state's digest, and the object's uid, generation and resource
     * version after.
     */
    private record Written(String digest, String uid, Long generation, String resourceVersion, Instant at) {}

    /** Without informers: Services and HTTPRoutes are applied again every {@link #REASSERT}. */
    public Applier(KubernetesClient client, Clock clock) {
        this(client, clock, new OwnedObjects());
    }

    /** {@code owned}: the informers whose copies tell whether a Service or HTTPRoute is as last written. */
    public Applier(KubernetesClient client, Clock clock, OwnedObjects owned) {
        this.client = client;
        this.clock = clock;
        this.owned = owned;
    }

    /** Applies {@code desired} after checking that an existing object of its name is the release's. */
    public <T extends HasMetadata> T apply(T desired) {
        Ownership.check(client.resource(desired).get(), desired);
        return write(desired);
    }

    /**
     * What the API server would store for {@code desired} (a server-side apply with {@code dryRun=All}: defaulting,
     * pruning and admission run, nothing is stored).
     */
    public <T extends HasMetadata> T dryRun(T desired) {
        return client.resource(desired)
                .dryRun()
                .fieldManager(FIELD_MANAGER)
                .forceConflicts()
                .serverSideApply();
    }

    private <T extends HasMetadata> T write(T desired) {
        return client.resource(desired)
                .fieldManager(FIELD_MANAGER)
                .forceConflicts()
                .serverSideApply();
    }

    /**
     * Applies {@code desired} unless {@code current} (from an informer cache, may be null) is the very object this
     * applier last wrote from an identical desired state, with the generation that write left: a spec changed by
     * anyone else bumps the generation, so drift is still put right.
     */
    public <T extends HasMetadata> T applyIfChanged(T desired, T current) {
        String digest = digest(desired);
        Written last = last(desired);
        if (current != null
                && last != null
                && last.digest().equals(digest)
                && Objects.equals(last.uid(), current.getMetadata().getUid())
                && unchangedSince(last, current)) {
            return current;
        }
        if (current != null) {
            Ownership.check(current, desired);
            try {
                return remember(desired, digest, write(sameUid(desired, current)));
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 && e.getCode() != 422) {
                    throw e;
                }
                // the copy is behind: the object was deleted (409, uid mismatch) or made again by someone else (422,
                // uid immutable). Decide on the live object: create it again, or refuse one the release does not own
                return applyAndRemember(desired, digest);
            }
        }
        return applyAndRemember(desired, digest);
    }

    /**
     * Applies {@code desired} unless it is as this applier last wrote it: by the informer's copy for a kind
     * {@link OwnedObjects} watches, else when it wrote the same desired state less than {@link #REASSERT} ago; empty
     * when it skipped the write, otherwise what the API server stored.
     */
    public <T extends HasMetadata> Optional<T> applyIfChanged(T desired) {
        Optional<Optional<T>> seen = owned.lookup(desired);
        if (seen.isPresent()) {
            T current = seen.get().orElse(null);
            T written = applyIfChanged(desired, current);
            return written == current ? Optional.empty() : Optional.of(written);
        }
        String digest = digest(desired);
        Written last = last(desired);
        if (last != null
                && last.digest().equals(digest)
                && clock.instant().isBefore(last.at().plus(Spread.period(Spread.key(desired), REASSERT)))) {
            return Optional.empty();
        }
        return Optional.of(applyAndRemember(desired, digest));
    }

    private <T extends HasMetadata> T applyAndRemember(T desired, String digest) {
        return remember(desired, digest, apply(desired));
    }

    private <T extends HasMetadata> T remember(HasMetadata desired, String digest, T applied) {
        synchronized (written) {
            written.put(
                    key(desired),
                    new Written(
                            digest,
                            applied.getMetadata().getUid(),
                            applied.getMetadata().getGeneration(),
                            applied.getMetadata().getResourceVersion(),
                            clock.instant()));
        }
        return applied;
    }

    /**
     * {@code desired} carrying the uid of {@code current}, an informer's copy that may be behind: the API server refuses
     * the apply if the object of that name is another one by now (deleted and made again by someone else, whose owner
     * this check did not see), instead of taking it over; the write is then decided on the live object (one GET).
     */
    private static <T extends HasMetadata> T sameUid(T desired, HasMetadata current) {
        T copy = Serialization.clone(desired);
        copy.getMetadata().setUid(current.getMetadata().getUid());
        return copy;
    }

    /**
     * Sets only {@code spec.replicas} of a Deployment the release controls (a JSON patch that first tests the object's
     * uid, so a Deployment deleted and made again meanwhile is not touched); its pod template stays as it is.
     */
    public Deployment scale(Deployment current, int replicas) {
        return patch(current, List.of(Map.of("op", "replace", "path", "/spec/replicas", "value", replicas)));
    }

    /** As {@link #patch(Deployment, List)}, recorded in the Deployment's managed fields as {@code fieldManager}. */
    public Deployment patch(Deployment current, List<Map<String, Object>> operations, String fieldManager) {
        return patch(
                current,
                operations,
                new PatchContext.Builder()
                        .withPatchType(PatchType.JSON)
                        .withFieldManager(fieldManager)
                        .build());
    }

    /**
     * Applies the JSON patch {@code operations} to a Deployment the release controls, after a first operation that
     * tests the object's uid (a Deployment deleted and made again meanwhile is not touched).
     */
    public Deployment patch(Deployment current, List<Map<String, Object>> operations) {
        return patch(current, operations, PatchContext.of(PatchType.JSON));
    }

    private Deployment patch(Deployment current, List<Map<String, Object>> operations, PatchContext context) {
        List<Map<String, Object>> patch = new ArrayList<>();
        patch.add(Map.of(
                "op",
                "test",
                "path",
                "/metadata/uid",
                "value",
                current.getMetadata().getUid()));
        patch.addAll(operations);
        return client.apps()
                .deployments()
                .inNamespace(current.getMetadata().getNamespace())
                .withName(current.getMetadata().getName())
                .patch(context, Serialization.asJson(patch));
    }

    /**
     * Whether nobody changed {@code current} since {@code last}: its generation, for a kind without one (a Service) its
     * resource version. An informer's copy that is behind the write differs too, and is written once more (a no-op).
     */
    private static boolean unchangedSince(Written last, HasMetadata current) {
        Long generation = current.getMetadata().getGeneration();
        return generation != null
                ? generation.equals(last.generation())
                : last.resourceVersion() != null
                        && last.resourceVersion().equals(current.getMetadata().getResourceVersion());
    }

    /** The informer's copy of the object {@code desired} names, for a kind {@link OwnedObjects} watches. */
    public <T extends HasMetadata> Optional<T> cached(T desired) {
        return owned.lookup(desired).flatMap(copy -> copy);
    }

    /**
     * Whether {@code seen} (an informer's copy, possibly behind the API server) is the object this applier last wrote
     * for {@code desired}, unchanged since that write: same uid, same generation (resource version for a kind without
     * one).
     */
    public boolean seenSinceLastWrite(HasMetadata desired, HasMetadata seen) {
        Written last = last(desired);
        return last != null && Objects.equals(last.uid(), seen.getMetadata().getUid()) && unchangedSince(last, seen);
    }

    /** Forgets having written {@code o} (it was deleted), so that the next apply of the same state writes it again. */
    public void forget(HasMetadata o) {
        synchronized (written) {
            written.remove(key(o));
        }
    }

    private Written last(HasMetadata desired) {
        synchronized (written) {
            return written.get(key(desired));
        }
    }

    private static String key(HasMetadata o) {
        return o.getKind() + "/" + o.getMetadata().getNamespace() + "/"
                + o.getMetadata().getName();
    }

    private static String digest(HasMetadata desired) {
        try {
            byte[] json = Serialization.asJson(desired).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
