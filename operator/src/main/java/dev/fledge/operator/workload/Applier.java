package dev.fledge.operator.workload;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Writes desired objects with server-side apply, as field manager {@code fledge-operator}. For objects the operator
 * also sees through an informer it can skip the write when the cached object is the one it last wrote from the same
 * desired state and nobody has changed its spec since: at scale most reconciles change nothing, and each skipped
 * apply is one API request less.
 */
public final class Applier {
    public static final String FIELD_MANAGER = "fledge-operator";
    private static final int REMEMBERED = 20_000;

    private final KubernetesClient client;
    private final Map<String, Written> written = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Written> eldest) {
            return size() > REMEMBERED;
        }
    };

    /** What the last apply of an object wrote: the desired state's digest, and the object's uid and generation after. */
    private record Written(String digest, String uid, Long generation) {
    }

    public Applier(KubernetesClient client) {
        this.client = client;
    }

    public <T extends HasMetadata> T apply(T desired) {
        return client.resource(desired).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
    }

    /**
     * Applies {@code desired} unless {@code current} (from an informer cache, may be null) is the very object this
     * applier last wrote from an identical desired state, with the generation that write left: a spec changed by
     * anyone else bumps the generation, so drift is still put right.
     */
    public <T extends HasMetadata> T applyIfChanged(T desired, T current) {
        String key = desired.getKind() + "/" + desired.getMetadata().getNamespace() + "/" + desired.getMetadata().getName();
        String digest = digest(desired);
        Written last;
        synchronized (written) {
            last = written.get(key);
        }
        if (current != null && last != null && last.digest().equals(digest)
                && Objects.equals(last.uid(), current.getMetadata().getUid())
                && Objects.equals(last.generation(), current.getMetadata().getGeneration())) {
            return current;
        }
        T applied = apply(desired);
        synchronized (written) {
            written.put(key, new Written(digest, applied.getMetadata().getUid(), applied.getMetadata().getGeneration()));
        }
        return applied;
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
