package dev.fledge.operator.gates;

import dev.fledge.api.ModelRelease;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Evidence that arrived off the reconcile thread (a safety suite run that ended): the release is reconciled at once,
 * and its gates are evaluated then, not only at the next analysis interval.
 */
public final class GateWakeups {
    private final SimpleInboundEventSource<ModelRelease> source = new SimpleInboundEventSource<>("gate-wakeups");
    private final Set<String> due = ConcurrentHashMap.newKeySet();

    /** {@code release} is {@code namespace/name}. */
    public void wake(String release) {
        due.add(release);
        int slash = release.indexOf('/');
        try {
            source.propagateEvent(new ResourceID(release.substring(slash + 1), release.substring(0, slash)));
        } catch (RuntimeException e) {
            // not registered with a running controller (a test without one): the next requeue finds it due
        }
    }

    /** Whether evidence arrived for {@code mr} since the last call; clears it. */
    public boolean take(ModelRelease mr) {
        return due.remove(
                mr.getMetadata().getNamespace() + "/" + mr.getMetadata().getName());
    }

    /** The release ({@code namespace/name}) was deleted: an answer that came after it leaves nothing behind. */
    public void forget(String release) {
        due.remove(release);
    }

    /** The event source the reconciler registers, so that {@link #wake} triggers a reconcile. */
    public List<EventSource<?, ModelRelease>> eventSources() {
        return List.of(source);
    }
}
