package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import lombok.Getter;
import lombok.Setter;

/** A HorizontalPodAutoscaler metric of type Pods: the average of a per-pod custom metric over a track's pods. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
public class PodsMetricSpec {

    @JsonPropertyDescription(
            "The metric's name in the custom metrics API (a Prometheus metric name), for example vllm_num_requests_waiting.")
    @Required
    @Size(min = 1, max = 253)
    @Pattern("^[a-zA-Z_:][a-zA-Z0-9_:]*$")
    private String name;

    @JsonPropertyDescription("The target average over the track's pods, a quantity above zero such as 5 or 500m.")
    @Required
    @Pattern("^([0-9]*[1-9][0-9]*(\\.[0-9]+)?|[0-9]+\\.[0-9]*[1-9][0-9]*)(m|k|M|G)?$")
    private String averageValue;

    public PodsMetricSpec withName(String name) {
        this.name = name;
        return this;
    }

    public PodsMetricSpec withAverageValue(String averageValue) {
        this.averageValue = averageValue;
        return this;
    }
}
