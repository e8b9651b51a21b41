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

    public CapacityStatus() {}

    public CapacityStatus(TrackCapacity stable, TrackCapacity canary) {
        this.stable = stable;
        this.canary = canary;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CapacityStatus c && Objects.equals(stable, c.stable) && Objects.equals(canary, c.canary);
    }

    @Override
    public int hashCode() {
        return Objects.hash(stable, canary);
    }
}
