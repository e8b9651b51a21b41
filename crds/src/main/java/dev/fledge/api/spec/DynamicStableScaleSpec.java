package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import lombok.Getter;
import lombok.Setter;

/**
 * The stable Deployment shrinks as the canary's public share grows (as Argo Rollouts' dynamicStableScale), so the two
 * tracks together never run more than {@code server.replicas + surge} replicas.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
public class DynamicStableScaleSpec {

    /** Default of {@link #surge}. */
    public static final int DEFAULT_SURGE = 1;

    @JsonPropertyDescription(
            "How many replicas stable and canary may run together above server.replicas (1 to 100). Default 1.")
    @Min(1)
    @Max(100)
    private Integer surge;

    public DynamicStableScaleSpec withSurge(Integer surge) {
        this.surge = surge;
        return this;
    }
}
