package dev.fledge.operator.k8s;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.core.rollout.ConditionReason;
import dev.fledge.core.rollout.Decision;
import dev.fledge.core.rollout.EventReason;
import dev.fledge.core.rollout.Observation;
import dev.fledge.core.rollout.RolloutEvent;
import dev.fledge.core.rollout.ServingIdentity;
import dev.fledge.core.rollout.Splits;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Decisions that end a rollout whose status write failed, kept until a retry stores them, so that the retry stores the
 * decision as it was made rather than deciding again (gates need not say the same twice, and the users of a rolled-back
 * canary must not go back to it while its suite runs again). Each is kept in memory and, if it sends everyone to the
 * recorded stable (a rollback, an abort, a cancel), also in the annotation {@value #ANNOTATION} on the release: a
 * metadata patch, another write path than the status, so an operator restart or another {@code resourceVersion} finds
 * it. A kept decision holds while the recorded status is still the one it was made from (a hash of it) and the spec's
 * canary is still the one it was made for (version and configuration hash); otherwise it is dropped, and the annotation
 * removed. Read from the annotation, which anyone who may edit the release can write, a decision is taken only as "no
 * canary, stable as recorded": its stable fields are the recorded ones, so it can do no more than an {@code abort}.
 */
public final class UnstoredDecisions {
    public static final String ANNOTATION = "fledge.dev/unstored-decision";
    private static final Logger LOG = Logger.getLogger(UnstoredDecisions.class);

    private final KubernetesClient client;
    private final Map<String, Kept> memory = new ConcurrentHashMap<>();

    /** A kept decision; {@code observation} is null when it was read from the annotation. */
    public record Kept(String basis, ServingIdentity canary, Observation observation, Decision decision) {}

    /** The annotation's form of a kept decision. */
    record Wire(
            String basis,
            String canaryVersion,
            String canaryConfigHash,
            ModelReleaseStatus status,
            List<WireEvent> events,
            String reason,
            String phaseFrom,
            String phaseTo) {}

    record WireEvent(String reason, String message) {}

    public UnstoredDecisions(KubernetesClient client) {
        this.client = client;
    }

    /**
     * The decision kept for {@code mr}, if it still holds: {@code recorded} is the status as stored (the basis), {@code
     * old} the one the reconciler decides from (its stable fields are the ones taken), {@code canary} the spec's.
     */
    public Optional<Kept> find(
            ModelRelease mr, ModelReleaseStatus recorded, ModelReleaseStatus old, ServingIdentity canary) {
        String key = key(mr);
        String basis = basis(recorded);
        Kept inMemory = memory.get(key);
        if (inMemory != null && !holds(inMemory, basis, canary)) {
            memory.remove(key, inMemory);
            inMemory = null;
        }
        String raw = annotation(mr);
        Kept annotated = raw == null ? null : parse(raw, old);
        if (raw != null && (annotated == null || !holds(annotated, basis, canary))) {
            remove(mr, raw);
            annotated = null;
        }
        return Optional.ofNullable(inMemory != null ? inMemory : annotated);
    }

    /**
     * The kept decision for {@code mr} that sends nobody to the canary (a rollback, an abort, a cancel), if {@code
     * recorded} is still the status it was made from, whatever canary the spec names now: for a spec that turned
     * invalid, from which no canary can be read. Such a decision stays true of the canary it was made for. Nothing is
     * dropped here; {@link #find} drops what no longer holds once the spec is valid.
     */
    public Optional<Kept> findRollback(ModelRelease mr, ModelReleaseStatus recorded) {
        String basis = basis(recorded);
        Kept inMemory = memory.get(key(mr));
        if (inMemory != null
                && inMemory.basis().equals(basis)
                && toRecordedStable(inMemory.decision().status(), recorded)) {
            return Optional.of(inMemory);
        }
        String raw = annotation(mr);
        return Optional.ofNullable(raw == null ? null : parse(raw, recorded))
                .filter(k -> k.basis().equals(basis)); // read from the annotation, a decision is always "no canary"
    }

    /**
     * Keeps {@code decision}, made from {@code recorded} for the spec's {@code canary}, whose status write failed.
     * Never throws: a failed annotation write leaves the decision in memory only.
     */
    public void keep(
            ModelRelease mr,
            ModelReleaseStatus recorded,
            ModelReleaseStatus old,
            ServingIdentity canary,
            Observation observation,
            Decision decision) {
        String basis = basis(recorded);
        memory.put(key(mr), new Kept(basis, canary, observation, decision));
        if (!toRecordedStable(decision.status(), old)) {
            return; // a promotion changes stable: kept in memory only, an operator restart decides it again
        }
        String value = Serialization.asJson(new Wire(
                basis,
                canary.version(),
                canary.configHash(),
                decision.status(),
                decision.events().stream()
                        .map(e -> new WireEvent(e.reason().name(), e.message()))
                        .toList(),
                decision.reason() == null ? null : decision.reason().name(),
                decision.phaseChange() == null ? null : decision.phaseChange().from(),
                decision.phaseChange() == null ? null : decision.phaseChange().to()));
        if (value.equals(annotation(mr))) {
            return;
        }
        String patch = Serialization.asJson(Map.of("metadata", Map.of("annotations", Map.of(ANNOTATION, value))));
        try {
            client.resources(ModelRelease.class)
                    .inNamespace(mr.getMetadata().getNamespace())
                    .resource(mr) // by the object's name: withName(..).patch would GET it first
                    .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
        } catch (KubernetesClientException e) {
            LOG.warnf(
                    "could not keep the unstored %s decision of %s/%s in %s (HTTP %d): %s; it is kept in memory",
                    decision.status().getPhase().wireName(),
                    mr.getMetadata().getNamespace(),
                    mr.getMetadata().getName(),
                    ANNOTATION,
                    e.getCode(),
                    e.getMessage());
        }
    }

    /**
     * A status was stored for {@code mr} (the kept decision, or one that supersedes it): the kept decision goes at once,
     * before anything that follows the write can fail, and the annotation with it (best effort; a later pass removes
     * one left over, since the status it was made from is no longer the recorded one).
     */
    public void stored(ModelRelease mr) {
        memory.remove(key(mr));
        String raw = annotation(mr);
        if (raw != null) {
            remove(mr, raw);
        }
    }

    /** A deleted release: its kept decision goes (the annotation goes with the object). */
    public void forget(String namespace, String name) {
        memory.remove(namespace + "/" + name);
    }

    private static boolean holds(Kept k, String basis, ServingIdentity canary) {
        return k.basis().equals(basis) && k.canary().equals(canary);
    }

    /** No canary, and stable as recorded: what an abort would do at most. */
    private static boolean toRecordedStable(ModelReleaseStatus st, ModelReleaseStatus old) {
        return st.getCanaryVersion() == null
                && Objects.equals(st.getStableVersion(), old.getStableVersion())
                && Serialization.asJson(st.getStable()).equals(Serialization.asJson(old.getStable()));
    }

    /** The annotation's decision, its stable fields taken from {@code old}; null if it is not one this class wrote. */
    private static Kept parse(String raw, ModelReleaseStatus old) {
        try {
            Wire w = Serialization.unmarshal(raw, Wire.class);
            ModelReleaseStatus st = w.status();
            if (w.basis() == null || st == null || st.getPhase() == null || st.getCanaryVersion() != null) {
                return null;
            }
            st.setStableVersion(old.getStableVersion());
            st.setStable(old.getStable());
            List<RolloutEvent> events = w.events() == null
                    ? List.of()
                    : w.events().stream()
                            .map(e -> new RolloutEvent(EventReason.valueOf(e.reason()), e.message()))
                            .toList();
            Decision d = new Decision(
                    st,
                    Splits.of(st),
                    events,
                    false,
                    null,
                    w.reason() == null ? null : ConditionReason.valueOf(w.reason()),
                    w.phaseTo() == null ? null : new Decision.PhaseChange(w.phaseFrom(), w.phaseTo()));
            return new Kept(w.basis(), new ServingIdentity(w.canaryVersion(), w.canaryConfigHash()), null, d);
        } catch (RuntimeException e) {
            LOG.warnf("ignoring an unreadable %s annotation: %s", ANNOTATION, e.getMessage());
            return null;
        }
    }

    /** Removes the annotation if it still holds {@code value} (a JSON patch that tests it first); best effort. */
    private void remove(ModelRelease mr, String value) {
        String path = "/metadata/annotations/" + ANNOTATION.replace("~", "~0").replace("/", "~1");
        String patch = "[{\"op\":\"test\",\"path\":\"" + path + "\",\"value\":" + Serialization.asJson(value) + "},"
                + "{\"op\":\"remove\",\"path\":\"" + path + "\"}]";
        try {
            client.resources(ModelRelease.class)
                    .inNamespace(mr.getMetadata().getNamespace())
                    .resource(mr) // by the object's name: withName(..).patch would GET it first
                    .patch(PatchContext.of(PatchType.JSON), patch);
        } catch (KubernetesClientException e) {
            LOG.debugf("could not remove %s (HTTP %d); retried on the next pass", ANNOTATION, e.getCode());
        }
    }

    private static String annotation(ModelRelease mr) {
        Map<String, String> a = mr.getMetadata().getAnnotations();
        return a == null ? null : a.get(ANNOTATION);
    }

    private static String key(ModelRelease mr) {
        return mr.getMetadata().getNamespace() + "/" + mr.getMetadata().getName();
    }

    /** A hash of the status as stored: any status write since makes it another. */
    static String basis(ModelReleaseStatus recorded) {
        try {
            byte[] json = Serialization.asJson(recorded).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
