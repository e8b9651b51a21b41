package dev.fledge.cli;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.ActionStatus;
import dev.fledge.core.rollout.ActionRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code fledge.dev/action} annotation as read before a write, and the JSON patch that writes a new action only
 * if the annotation is still what was read: absent, or the action {@code status.action} records as read already.
 *
 * @param annotations whether the object has an annotations map at all
 * @param value       the annotation's value as stored, or null
 * @param handled     whether {@code status.action} records this value as read, its annotation awaiting removal
 * @param recorded    {@code status.action.value} when {@code handled}
 */
record PendingAction(boolean annotations, String value, boolean handled, String recorded) {
    private static final String PATH = "/metadata/annotations/" + pointer(Labels.ACTION);

    static PendingAction on(ModelRelease mr) {
        Map<String, String> annotations = mr.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(Labels.ACTION);
        ActionStatus recorded = mr.getStatus() == null ? null : mr.getStatus().getAction();
        boolean handled = value != null && mr.getStatus() != null && ActionRecord.awaitsRemoval(mr.getStatus(), value);
        return new PendingAction(annotations != null, value, handled, handled ? recorded.getValue() : null);
    }

    /** An action the operator has not read yet: any later write would replace it. */
    Optional<String> unread() {
        return value == null || handled ? Optional.empty() : Optional.of(value);
    }

    /**
     * The action an annotation value names, as the operator parses it: the trimmed text before the first colon (the
     * nonce follows the colon).
     */
    static String actionOf(String value) {
        String name = value.trim();
        int colon = name.indexOf(':');
        return colon < 0 ? name : name.substring(0, colon);
    }

    /** A JSON patch that sets the annotation to {@code next} if it is still as read. */
    List<Map<String, Object>> replaceWith(String next) {
        List<Map<String, Object>> ops = new ArrayList<>();
        if (!annotations) {
            ops.add(op("test", "/metadata/annotations", null));
            ops.add(op("add", "/metadata/annotations", Map.of(Labels.ACTION, next)));
            return ops;
        }
        if (value == null) {
            // a test for null passes on a missing member (RFC 6902 leaves this open; the API server's json-patch does)
            ops.add(op("test", PATH, null));
            ops.add(op("add", PATH, next));
            return ops;
        }
        ops.add(op("test", PATH, value));
        if (handled) {
            ops.add(op("test", "/status/action/value", recorded));
        }
        ops.add(op("replace", PATH, next));
        return ops;
    }

    private static Map<String, Object> op(String op, String path, Object value) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("op", op);
        m.put("path", path);
        m.put("value", value);
        return m;
    }

    private static String pointer(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }
}
