package dev.fledge.operator.k8s;

import dev.fledge.api.ModelRelease;
import dev.fledge.core.rollout.RolloutEvent;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Emits a Kubernetes Event on the ModelRelease for every transition; a failed Event write is logged, not fatal. The
 * operator writes them from an {@link EventQueue} (off the reconcile thread, a release's in the order recorded); the
 * timestamps are those of the moment recorded.
 *
 * <p>An event that repeats one recorded before on the same release (same type, reason and message; the last
 * {@link #REMEMBERED} kept, operator-wide) is counted on that Event, as client-go's correlator does for {@code kubectl}: one PATCH of
 * its {@code count} and {@code lastTimestamp}, shown by {@code kubectl describe} as {@code (x3 over 2m)}, instead of
 * a new Event each time (a write refused on every retry, a wait warned about again). An Event gone meanwhile (the API
 * server keeps them an hour by default) is created again.
 */
public final class EventRecorder {
    private static final Logger LOG = Logger.getLogger(EventRecorder.class);
    public static final String COMPONENT = "fledge-operator";
    /**
     * How many recent events are remembered to count repeats, as client-go's cache; each by a digest of its release's
     * uid, type, reason and message (about 250 bytes an entry). Past it, the oldest repeat makes a new Event again.
     */
    static final int REMEMBERED = 4096;

    private final KubernetesClient client;
    private final Clock clock;
    /** Where the writes run: the operator's writer threads, or the recording thread. */
    private final EventQueue writes;
    /** Recent events by the digest of release uid, type, reason and message: the Event's name and count (access order). */
    private final Map<String, Recorded> recent = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Recorded> eldest) {
            return size() > REMEMBERED;
        }
    };

    private record Recorded(String name, int count) {}

    /** Writes each Event in the thread that records it (the in-process operator of the tests). */
    public EventRecorder(KubernetesClient client, Clock clock) {
        this(client, clock, EventQueue.inline());
    }

    public EventRecorder(KubernetesClient client, Clock clock, EventQueue writes) {
        this.client = client;
        this.clock = clock;
        this.writes = writes;
    }

    public void record(ModelRelease mr, RolloutEvent e) {
        String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
        String namespace = mr.getMetadata().getNamespace();
        String type = e.warning() ? "Warning" : "Normal";
        String message = e.message().length() > 1000 ? e.message().substring(0, 1000) + "…" : e.message();
        String key = digest(
                mr.getMetadata().getUid() + "\n" + type + "\n" + e.reason().name() + "\n" + message);
        // what the write needs, read now: the release object may be another by the time it runs
        Pending p = new Pending(
                namespace,
                mr.getMetadata().getName(),
                mr.getApiVersion(),
                mr.getKind(),
                mr.getMetadata().getUid(),
                mr.getMetadata().getResourceVersion(),
                type,
                e.reason().name(),
                message,
                key,
                now);
        writes.submit(p.uid() == null ? namespace + "/" + p.release() : p.uid(), () -> write(p));
    }

    /** An Event to write: its release's identity as the pass saw it, and what it says. */
    private record Pending(
            String namespace,
            String release,
            String apiVersion,
            String kind,
            String uid,
            String resourceVersion,
            String type,
            String reason,
            String message,
            String key,
            String now) {}

    /** Whether the API server took the Event (a new one, or the count of a repeat). */
    private boolean write(Pending p) {
        String namespace = p.namespace();
        String key = p.key();
        String now = p.now();
        try {
            Recorded seen = seen(key);
            if (seen != null && counted(namespace, seen, now)) {
                remember(key, new Recorded(seen.name(), seen.count() + 1));
                return true;
            }
            String name = p.release() + "." + UUID.randomUUID().toString().substring(0, 13);
            client.v1()
                    .events()
                    .inNamespace(namespace)
                    .resource(new EventBuilder()
                            .withNewMetadata()
                            .withName(name)
                            .withNamespace(namespace)
                            .endMetadata()
                            .withNewInvolvedObject()
                            .withApiVersion(p.apiVersion())
                            .withKind(p.kind())
                            .withName(p.release())
                            .withNamespace(namespace)
                            .withUid(p.uid())
                            .withResourceVersion(p.resourceVersion())
                            .endInvolvedObject()
                            .withType(p.type())
                            .withReason(p.reason())
                            .withMessage(p.message())
                            .withFirstTimestamp(now)
                            .withLastTimestamp(now)
                            .withCount(1)
                            .withNewSource()
                            .withComponent(COMPONENT)
                            .endSource()
                            .withReportingComponent(COMPONENT)
                            .build())
                    .create();
            remember(key, new Recorded(name, 1));
            return true;
        } catch (KubernetesClientException ex) {
            LOG.warnf("could not record event %s on %s/%s: %s", p.reason(), namespace, p.release(), ex.getMessage());
            return false;
        }
    }

    /**
     * Counts a repeat on the Event recorded before; false when that did not work (the Event is gone, or the patch was
     * refused or failed): the event is then created as a new one, as before counting, never lost for the patch.
     */
    private boolean counted(String namespace, Recorded seen, String now) {
        try {
            client.v1()
                    .events()
                    .inNamespace(namespace)
                    .withName(seen.name())
                    .patch(
                            PatchContext.of(PatchType.JSON_MERGE),
                            "{\"count\":" + (seen.count() + 1) + ",\"lastTimestamp\":\"" + now + "\"}");
            return true;
        } catch (KubernetesClientException ex) {
            if (ex.getCode() != 404) {
                LOG.debugf(
                        "could not count a repeat on event %s/%s (%d): a new Event",
                        namespace, seen.name(), ex.getCode());
            }
            return false;
        }
    }

    /** 128 bits of SHA-256: the key of an event in {@link #recent}, whatever the length of its message. */
    private static String digest(String key) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha, 0, 16);
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-256 is part of every JRE", ex);
        }
    }

    private Recorded seen(String key) {
        synchronized (recent) {
            return recent.get(key);
        }
    }

    private void remember(String key, Recorded recorded) {
        synchronized (recent) {
            recent.put(key, recorded);
        }
    }
}
