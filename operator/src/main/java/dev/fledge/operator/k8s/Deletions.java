package dev.fledge.operator.k8s;

import dev.fledge.api.ModelRelease;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.ResourceAction;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;
import io.javaoperatorsdk.operator.processing.event.source.controller.ResourceEvent;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Tells the operator that a release was deleted, so that what it keeps per release (its metrics, gate runs, memos) goes
 * with it. JOSDK tells every event source of the controller of each event of a release, deletions included, whatever
 * the controller's configuration: this holds where {@code triggerReconcilerOnAllEvents} does not reach the reconciler
 * (quarkus-operator-sdk 7.7 drops it from the configuration it builds; {@code OperatorRegistration} puts it back).
 * Called on the informer's thread, possibly while a pass of the release is still running: that pass forgets the
 * release again at its end when it finds it gone from the cache ({@code ModelReleaseReconciler}).
 *
 * <p>It also wakes a release made again under a deleted one's name. JOSDK ends the deletion's pass by dropping all it
 * keeps for the name: the reschedule that pass asked for, and any event of the name that came during it, the new
 * release's own creation included; the events of its Deployments are dropped after that too, as they come for a name
 * JOSDK then knows nothing of. So the new release would wait for its next edit ({@code kubectl replace --force}, Argo
 * CD's {@code Replace=true}). After each deletion's pass, this source sends an event for the name if the cache holds a
 * release under it, {@link #WAKE_AFTER} that pass (JOSDK's bookkeeping of the pass runs after it returns, on its own
 * thread); an extra pass of a release that was not in that race does no harm. One thread, while the controller runs.
 */
public final class Deletions extends AbstractEventSource<Void, ModelRelease>
        implements ResourceEventAware<ModelRelease> {
    private static final Logger LOG = Logger.getLogger(Deletions.class);

    /** When a release under a deleted one's name is woken, after the deletion's pass; twice, in case JOSDK was slow. */
    public static final List<Duration> WAKE_AFTER = List.of(Duration.ofSeconds(1), Duration.ofSeconds(10));

    private final Consumer<ModelRelease> forget;
    private final Function<ResourceID, Optional<ModelRelease>> cache;
    private volatile ScheduledExecutorService timer;

    /** {@code cache} is the controller's cache of releases. */
    public Deletions(Consumer<ModelRelease> forget, Function<ResourceID, Optional<ModelRelease>> cache) {
        super(Void.class, "release-deletions");
        this.forget = forget;
        this.cache = cache;
    }

    @Override
    public synchronized void start() {
        if (timer == null) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "fledge-release-deletions");
                t.setDaemon(true);
                return t;
            });
        }
        super.start();
    }

    @Override
    public synchronized void stop() {
        super.stop();
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    /** A pass for the deletion of the release named {@code id} returned: a release made again under it is woken. */
    public void deletePassEnded(ResourceID id) {
        ScheduledExecutorService t = timer;
        if (t == null) {
            return; // not started (a test without a controller)
        }
        for (Duration after : WAKE_AFTER) {
            try {
                t.schedule(() -> wake(id), after.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RuntimeException e) { // stopped meanwhile
                return;
            }
        }
    }

    /** Sends an event for the release under {@code id}, if the cache holds one. */
    void wake(ResourceID id) {
        if (!isRunning() || getEventHandler() == null) {
            return;
        }
        try {
            // a resource event: JOSDK drops any other kind for a name whose bookkeeping it dropped
            cache.apply(id)
                    .ifPresent(r -> getEventHandler().handleEvent(new ResourceEvent(ResourceAction.UPDATED, id, r)));
        } catch (RuntimeException e) {
            LOG.warnf(e, "waking %s after its deletion's pass failed", id);
        }
    }

    @Override
    public void onResourceDeleted(ModelRelease release) {
        try {
            forget.accept(release);
        } catch (RuntimeException e) { // the informer's thread must go on
            LOG.warnf(
                    e,
                    "%s/%s was deleted; forgetting it failed",
                    release.getMetadata().getNamespace(),
                    release.getMetadata().getName());
        }
    }

    /**
     * A release deleted and made again under its name while the watch was down comes back from the relist as an update
     * to another uid: the one deleted is forgotten then, before the new one's first pass.
     */
    @Override
    public void onResourceUpdated(ModelRelease release, ModelRelease before) {
        if (before != null
                && !Objects.equals(
                        before.getMetadata().getUid(), release.getMetadata().getUid())) {
            onResourceDeleted(before);
        }
    }

    @Override
    public Set<Void> getSecondaryResources(ModelRelease primary) {
        return Set.of();
    }
}
