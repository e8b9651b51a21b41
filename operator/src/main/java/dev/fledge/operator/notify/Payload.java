package dev.fledge.operator.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fledge.api.spec.NotificationFormat;

/** Renders a notification as the JSON body of a webhook request. */
public interface Payload {
    String render(Notification n);

    /** The renderer of a format. */
    static Payload of(NotificationFormat format, ObjectMapper json) {
        return format == NotificationFormat.SLACK ? new SlackPayload(json) : new GenericPayload(json);
    }
}
