package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** The gates that decide whether a stage may advance. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AnalysisSpec {

    @JsonPropertyDescription("How often the gates are evaluated. Default 1m.")
    @Pattern("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$")
    private String interval;

    @JsonPropertyDescription("Prometheus metric gates.")
    @Size(max = 20)
    @ValidationRule(value = "self.all(m, self.exists_one(n, n.name == m.name))", message = "metric names must be unique")
    private List<MetricSpec> metrics;

    @JsonPropertyDescription("The Bayesian gate on the harmful-output rate.")
    private SafetySpec safety;

    @JsonPropertyDescription("The Bayesian gate on user thumbs-down.")
    private FeedbackSpec feedback;

    public String getInterval() {
        return interval;
    }

    public void setInterval(String interval) {
        this.interval = interval;
    }

    public AnalysisSpec withInterval(String interval) {
        this.interval = interval;
        return this;
    }

    public List<MetricSpec> getMetrics() {
        return metrics;
    }

    public void setMetrics(List<MetricSpec> metrics) {
        this.metrics = metrics;
    }

    public AnalysisSpec withMetrics(List<MetricSpec> metrics) {
        this.metrics = metrics;
        return this;
    }

    public SafetySpec getSafety() {
        return safety;
    }

    public void setSafety(SafetySpec safety) {
        this.safety = safety;
    }

    public AnalysisSpec withSafety(SafetySpec safety) {
        this.safety = safety;
        return this;
    }

    public FeedbackSpec getFeedback() {
        return feedback;
    }

    public void setFeedback(FeedbackSpec feedback) {
        this.feedback = feedback;
    }

    public AnalysisSpec withFeedback(FeedbackSpec feedback) {
        this.feedback = feedback;
        return this;
    }
}
