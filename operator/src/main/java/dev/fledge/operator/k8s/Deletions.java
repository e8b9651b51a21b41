package dev.fledge.operator.k8s;

import dev.fledge.api.ModelRelease;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Tells the operator that a release was deleted, so that what it keeps per release (its metrics, gate runs, memos) goes
 * with it. JOSDK tells every event source of the controller of each event of a release, deletions included, whatever
 * the controller's configuration: this holds where {@code triggerReconcilerOnAllEvents} does not reach the reconciler
 * (quarkus-operator-sdk 7.7 drops it from the configuration it builds; {@code OperatorRegistration} puts it back).
 * Called on the informer's thread, possibly while a pass of the release is still running: that pass forgets the
 * release again at its end when it finds it gone from the cache ({@code ModelReleaseReconciler}). Holds no resources of
 * its own.
 */
public final class Deletions extends AbstractEventSource<Void, ModelRelease>
        implements ResourceEventAware<ModelRelease> {
    private static final Logger LOG = Logger.getLogger(Deletions.class);

    private final Consumer<ModelRelease> forget;

    public Deletions(Consumer<ModelRelease> forget) {
        super(Void.class, "release-deletions");
        this.forget = forget;
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
