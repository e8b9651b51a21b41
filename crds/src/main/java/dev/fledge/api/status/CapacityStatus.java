package dev.fledge.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;
import lombok.Getter;
import lombok.Setter;

/** Each track's replicas and GPUs, as the operator last read its Deployment. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
public class CapacityStatus {

    @JsonPropertyDescription("The stable Deployment.")
    private TrackCapacity stable;

    @JsonPropertyDescription("The canary Deployment (absent when there is none).")
    private TrackCapacity canary;

    @JsonPropertyDescription(
            "spec.server.replicas (with its default) at the operator's last pass with a valid spec: the size stable goes back to after a rollback. An Invalid pass does not rewrite it, so a capacity hold after an invalid edit waits for this size, not for a count from a spec that failed validation.")
    private Integer replicas;

    public CapacityStatus() {}

    public CapacityStatus(TrackCapacity stable, TrackCapacity canary) {
        this(stable, canary, null);
    }

    public CapacityStatus(TrackCapacity stable, TrackCapacity canary, Integer replicas) {
        this.stable = stable;
        this.canary = canary;
        this.replicas = replicas;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CapacityStatus c
                && Objects.equals(stable, c.stable)
                && Objects.equals(canary, c.canary)
                && Objects.equals(replicas, c.replicas);
    }

    @Override
    public int hashCode() {
        return Objects.hash(stable, canary, replicas);
    }
}
