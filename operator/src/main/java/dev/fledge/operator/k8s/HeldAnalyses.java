package dev.fledge.operator.k8s;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.core.rollout.AnalysisHold;
import dev.fledge.core.rollout.Plan;
import dev.fledge.core.rollout.StatusCopy;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Statuses of analyses held in memory instead of written ({@link AnalysisHold}): an analysis that changed nothing but
 * its times, or whose Prometheus answer is on its way, costs no status write. A held status stands while the stored
 * status is the one it was held over (a hash of it); any status write of the release, by this operator or another
 * party, drops it. In memory only: after a restart, or on another shard, the stored status is read, so a gate is
 * analysed again sooner, never a stage ended sooner. Kept by the release's uid: a release made again under the name
 * starts afresh.
 */
public final class HeldAnalyses {
    private final Map<String, Held> memory = new ConcurrentHashMap<>();

    private record Held(String basis, ModelReleaseStatus status) {}

    /** The status held for {@code mr} if its stored status is still the one it was held over, else {@code old}. */
    public ModelReleaseStatus overlay(ModelRelease mr, ModelReleaseStatus old) {
        String key = key(mr);
        Held held = memory.get(key);
        if (held == null) {
            return old;
        }
        if (!held.basis().equals(UnstoredDecisions.basis(stored(mr)))) {
            memory.remove(key, held);
            return old;
        }
        return StatusCopy.of(held.status());
    }

    /**
     * Whether {@code next}, the status this pass would write, may be held ({@link AnalysisHold#mayHold}); if so it is
     * held, and the caller does not write it.
     */
    public boolean hold(ModelRelease mr, Plan plan, ModelReleaseStatus next, Instant now) {
        ModelReleaseStatus stored = stored(mr);
        if (!AnalysisHold.mayHold(plan, stored, next, now)) {
            return false;
        }
        memory.put(key(mr), new Held(UnstoredDecisions.basis(stored), StatusCopy.of(next)));
        return true;
    }

    /**
     * The status held for {@code mr} if it is due to be written now ({@link AnalysisHold#heartbeatDue}), although the
     * pass, which decided from {@code old}, has nothing new: only when {@code old} is that held status.
     */
    public Optional<ModelReleaseStatus> due(ModelRelease mr, ModelReleaseStatus old, Instant now) {
        Held held = memory.get(key(mr));
        ModelReleaseStatus stored = stored(mr);
        if (held == null
                || !held.basis().equals(UnstoredDecisions.basis(stored))
                || !AnalysisHold.heartbeatDue(stored, now)
                || !UnstoredDecisions.basis(held.status()).equals(UnstoredDecisions.basis(old))) {
            return Optional.empty();
        }
        return Optional.of(StatusCopy.of(held.status()));
    }

    /** The release's status was written: what was held is in it, or superseded. */
    public void written(ModelRelease mr) {
        memory.remove(key(mr));
    }

    /** The release was deleted. */
    public void forget(ModelRelease mr) {
        memory.remove(key(mr));
    }

    private static ModelReleaseStatus stored(ModelRelease mr) {
        return mr.getStatus() == null ? new ModelReleaseStatus() : mr.getStatus();
    }

    private static String key(ModelRelease mr) {
        String uid = mr.getMetadata().getUid();
        return uid != null
                ? uid
                : mr.getMetadata().getNamespace() + "/" + mr.getMetadata().getName();
    }
}
