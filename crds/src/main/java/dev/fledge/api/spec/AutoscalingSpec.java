package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import lombok.Getter;
import lombok.Setter;

/**
 * One HorizontalPodAutoscaler per track, owned by the operator: it sizes each track's Deployment between
 * {@link #minReplicas} and {@link #maxReplicas}; the operator only raises a track's floor while a rollout needs it
 * (docs/runbook.md, "Autoscaling").
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "(has(self.minReplicas) ? self.minReplicas : 1) <= self.maxReplicas",
        message = "server.autoscaling: minReplicas (default 1) must not exceed maxReplicas")
@Getter
@Setter
public class AutoscalingSpec {

    /** Default of {@link #minReplicas}. */
    public static final int DEFAULT_MIN = 1;

    /** Default of {@link #targetCPUUtilization} when no {@link #podsMetric} is set. */
    public static final int DEFAULT_CPU_UTILIZATION = 80;

    @JsonPropertyDescription(
            "The fewest replicas each track runs (1 to 100). Default 1. During a rollout the operator raises a track's floor above it (docs/runbook.md).")
    @Min(1)
    @Max(100)
    private Integer minReplicas;

    @JsonPropertyDescription("The most replicas each track runs (1 to 100). Required.")
    @Required
    @Min(1)
    @Max(100)
    private Integer maxReplicas;

    @JsonPropertyDescription(
            "Target average CPU utilization of the model container, in percent of its CPU request (1 to 100). Default 80 unless podsMetric is set.")
    @Min(1)
    @Max(100)
    private Integer targetCPUUtilization;

    @JsonPropertyDescription(
            "A per-pod metric to scale on as well, served by the custom metrics API (for example the queue depth through prometheus-adapter).")
    private PodsMetricSpec podsMetric;

    public AutoscalingSpec withMinReplicas(Integer minReplicas) {
        this.minReplicas = minReplicas;
        return this;
    }

    public AutoscalingSpec withMaxReplicas(Integer maxReplicas) {
        this.maxReplicas = maxReplicas;
        return this;
    }

    public AutoscalingSpec withTargetCPUUtilization(Integer targetCPUUtilization) {
        this.targetCPUUtilization = targetCPUUtilization;
        return this;
    }

    public AutoscalingSpec withPodsMetric(PodsMetricSpec podsMetric) {
        this.podsMetric = podsMetric;
        return this;
    }

    /** {@link #minReplicas} with its default. */
    public int min() {
        return minReplicas == null ? DEFAULT_MIN : minReplicas;
    }
}
