package dev.fledge.cli;

import io.fabric8.kubernetes.api.model.Event;
import java.time.Instant;

/** When an Event last happened: lastTimestamp, else eventTime, firstTimestamp, creationTimestamp. */
final class EventTimes {
    private EventTimes() {}

    static Instant last(Event e) {
        if (e.getLastTimestamp() != null) {
            return Instant.parse(e.getLastTimestamp());
        }
        if (e.getEventTime() != null && e.getEventTime().getTime() != null) {
            return Instant.parse(e.getEventTime().getTime());
        }
        if (e.getFirstTimestamp() != null) {
            return Instant.parse(e.getFirstTimestamp());
        }
        String created = e.getMetadata() == null ? null : e.getMetadata().getCreationTimestamp();
        return created == null ? Instant.EPOCH : Instant.parse(created);
    }
}
