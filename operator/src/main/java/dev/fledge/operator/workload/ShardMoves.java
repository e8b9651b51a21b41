package dev.fledge.operator.workload;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.operator.config.Shard;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jboss.logging.Logger;

/**
 * A release that came to this shard (its {@value Labels#SHARD} label changed, or sharding was turned on) may own
 * Deployments that still carry another shard's label, or none: this shard's Deployment informer, which selects by
 * that label, does not hold them. Read from that cache they would look absent, and a pass could size or route as if
 * the canary had no pods. So whenever the cache lacks one of the release's Deployments, it is read from the API
 * server; one the release controls with another shard label gets this release's label (a JSON patch of that label
 * only, after a test of the Deployment's uid), and the pass waits until the informer holds it. The same happens when
 * the shard the release left re-applies its old label in a pass that was running at the move.
 *
 * <p>The wait is bounded ({@link #MAX_WAITS} passes): a Deployment the informer never delivers (one whose {@value
 * Labels#RELEASE} label was taken off) does not hold the release; the pass then runs and its apply puts the labels
 * back. Costs nothing without sharding; with sharding one GET per pass per Deployment the cache lacks (a canary that
 * does not exist yet).
 */
public final class ShardMoves {
    /** Passes a release waits for the informer to deliver a Deployment before it runs without it. */
    static final int MAX_WAITS = 5;

    private static final Logger LOG = Logger.getLogger(ShardMoves.class);
    private static final int REMEMBERED = 20_000;

    private final KubernetesClient client;
    private final Shard shard;
    /** Passes each release (by uid) has waited so far. */
    private final Map<String, Integer> waits = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
            return size() > REMEMBERED;
        }
    };

    public ShardMoves(KubernetesClient client, Shard shard) {
        this.client = client;
        this.shard = shard;
    }

    public Shard shard() {
        return shard;
    }

    /**
     * Whether the pass may trust the cache for this release's Deployments; false after a relabel, or while the
     * informer has not yet delivered a Deployment that carries this shard's label (at most {@link #MAX_WAITS} passes):
     * the caller looks again shortly.
     *
     * @param cached the release's Deployments as the informer holds them, by name (absent: not cached)
     */
    public boolean settled(ModelRelease mr, Map<String, Deployment> cached) {
        String uid = mr.getMetadata().getUid();
        if (!shard.sharded() || uid == null) {
            return true;
        }
        List<String> waiting = new ArrayList<>();
        for (String track : List.of(Labels.TRACK_STABLE, Labels.TRACK_CANARY)) {
            String name = Names.deployment(mr, track);
            if (cached.get(name) != null) {
                continue;
            }
            Deployment live = client.apps()
                    .deployments()
                    .inNamespace(mr.getMetadata().getNamespace())
                    .withName(name)
                    .get();
            if (live == null || !Ownership.controlledBy(live, mr)) {
                continue; // none, or not the release's: the cache is right not to hold it
            }
            String want = shardOf(mr);
            if (!Objects.equals(want, shardOf(live))) {
                relabel(live, want);
                LOG.infof(
                        "%s/%s: Deployment %s moved to this operator's shard (label %s=%s)",
                        mr.getMetadata().getNamespace(), mr.getMetadata().getName(), name, Labels.SHARD, want);
            }
            waiting.add(name);
        }
        synchronized (waits) {
            if (waiting.isEmpty()) {
                waits.remove(uid);
                return true;
            }
            int waited = waits.merge(uid, 1, Integer::sum);
            if (waited > MAX_WAITS) {
                waits.remove(uid);
                LOG.warnf(
                        "%s/%s: the operator's informer does not hold %s after %d passes; going on without it",
                        mr.getMetadata().getNamespace(), mr.getMetadata().getName(), waiting, MAX_WAITS);
                return true;
            }
        }
        return false;
    }

    /** The release is gone from this shard (deleted, or moved away). */
    public void forget(ModelRelease mr) {
        synchronized (waits) {
            waits.remove(mr.getMetadata().getUid());
        }
    }

    private void relabel(Deployment live, String shardLabel) {
        List<Map<String, Object>> patch = new ArrayList<>();
        // a Deployment deleted and made again by someone else meanwhile is not touched
        patch.add(Map.of(
                "op",
                "test",
                "path",
                "/metadata/uid",
                "value",
                live.getMetadata().getUid()));
        String path = "/metadata/labels/" + Labels.SHARD.replace("~", "~0").replace("/", "~1");
        if (shardLabel == null) {
            patch.add(Map.of("op", "remove", "path", path));
        } else if (live.getMetadata().getLabels() == null) {
            patch.add(Map.of("op", "add", "path", "/metadata/labels", "value", Map.of(Labels.SHARD, shardLabel)));
        } else {
            patch.add(Map.of("op", "add", "path", path, "value", shardLabel));
        }
        client.apps()
                .deployments()
                .inNamespace(live.getMetadata().getNamespace())
                .resource(live) // by the object's name: withName(..).patch would GET it first
                .patch(PatchContext.of(PatchType.JSON), Serialization.asJson(patch));
    }

    private static String shardOf(HasMetadata o) {
        Map<String, String> labels = o.getMetadata().getLabels();
        return labels == null ? null : labels.get(Labels.SHARD);
    }
}
