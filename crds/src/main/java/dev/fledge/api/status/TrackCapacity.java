package dev.fledge.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;
import lombok.Getter;
import lombok.Setter;

/** The size of one track's Deployment, as the operator last read it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
public class TrackCapacity {

    @JsonPropertyDescription("Replicas the Deployment asks for (spec.replicas).")
    private Integer replicas;

    @JsonPropertyDescription("Replicas that are ready (status.readyReplicas).")
    private Integer readyReplicas;

    @JsonPropertyDescription(
            "GPUs the Deployment's pods request together: per pod, the sum over its containers of each resource whose name ends in /gpu (nvidia.com/gpu, amd.com/gpu, ...), from requests or else limits; times replicas.")
    private Long gpus;

    public TrackCapacity() {}

    public TrackCapacity(Integer replicas, Integer readyReplicas, Long gpus) {
        this.replicas = replicas;
        this.readyReplicas = readyReplicas;
        this.gpus = gpus;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrackCapacity t
                && Objects.equals(replicas, t.replicas)
                && Objects.equals(readyReplicas, t.readyReplicas)
                && Objects.equals(gpus, t.gpus);
    }

    @Override
    public int hashCode() {
        return Objects.hash(replicas, readyReplicas, gpus);
    }
}
