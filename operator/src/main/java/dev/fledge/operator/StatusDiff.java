package dev.fledge.operator;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fledge.api.status.ModelReleaseStatus;

/** Compares statuses by their JSON form, so the operator patches only on change. */
final class StatusDiff {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private StatusDiff() {
    }

    static boolean same(ModelReleaseStatus a, ModelReleaseStatus b) {
        return MAPPER.valueToTree(a).equals(MAPPER.valueToTree(b));
    }
}
