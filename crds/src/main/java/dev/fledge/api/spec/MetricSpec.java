package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import lombok.Getter;
import lombok.Setter;

/** A Prometheus metric gate: a PromQL query whose scalar result must stay within min and max. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.query) != has(self.template)", message = "set exactly one of query or template")
@ValidationRule(value = "has(self.min) || has(self.max)", message = "set min, max or both")
@ValidationRule(
        value = "!has(self.min) || !has(self.max) || self.min <= self.max",
        message = "min must not exceed max",
        fieldPath = ".min")
@Getter
@Setter
public class MetricSpec {

    @JsonPropertyDescription("Gate name, shown in status.")
    @Required
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    @Size(max = 63)
    @ValidationRule(
            value = "self != 'safety' && self != 'feedback'",
            message = "safety and feedback are reserved gate names")
    private String name;

    @JsonPropertyDescription(
            "A built-in query instead of query: error-rate, latency-p99, ttft-p99, tpot-p99 or queue-depth, over the metrics of the server spec.server.profile names. A template that server has no metric for is refused (docs/servers.md).")
    private MetricTemplate template;

    @JsonPropertyDescription(
            "PromQL with template variables {{release}}, {{namespace}}, {{canaryVersion}}, {{stableVersion}}, {{stage}}, {{audience}}, {{interval}} (the analysis interval, or 4 scrape intervals of the model pods when that is longer). Must return one scalar or a one-element vector.")
    @Size(min = 1, max = 8192)
    private String query;

    @JsonPropertyDescription("Lowest passing value.")
    private Double min;

    @JsonPropertyDescription("Highest passing value.")
    private Double max;

    @JsonPropertyDescription(
            "Failed checks of this gate in one stage that trigger a rollback; the count starts again at every stage. Default 1.")
    @Min(1)
    @Max(100)
    private Integer failureLimit;

    @JsonPropertyDescription(
            "Verdict when the query returns no data: inconclusive (hold the stage) or fail. Default inconclusive.")
    private NoDataPolicy noData;

    public MetricSpec withName(String name) {
        this.name = name;
        return this;
    }

    public MetricSpec withTemplate(MetricTemplate template) {
        this.template = template;
        return this;
    }

    public MetricSpec withQuery(String query) {
        this.query = query;
        return this;
    }

    public MetricSpec withMin(Double min) {
        this.min = min;
        return this;
    }

    public MetricSpec withMax(Double max) {
        this.max = max;
        return this;
    }

    public MetricSpec withFailureLimit(Integer failureLimit) {
        this.failureLimit = failureLimit;
        return this;
    }

    public MetricSpec withNoData(NoDataPolicy noData) {
        this.noData = noData;
        return this;
    }
}
