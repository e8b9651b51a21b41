package dev.fledge.core.rollout;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fledge.api.status.ModelReleaseStatus;

/** Deep copy of a status, so the engine never mutates its input. */
public final class StatusCopy {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private StatusCopy() {}

    public static ModelReleaseStatus of(ModelReleaseStatus status) {
        return status == null ? new ModelReleaseStatus() : MAPPER.convertValue(status, ModelReleaseStatus.class);
    }
}
