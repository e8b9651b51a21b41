package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A red-team prompt suite. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SuiteSpec {

    @JsonPropertyDescription("ConfigMap that holds the prompts.")
    @Required
    private ConfigMapKeyRef configMapRef;

    @JsonPropertyDescription("Prompts in flight at once. Default 4.")
    @Min(1)
    @Max(64)
    private Integer concurrency;

    @JsonPropertyDescription("Timeout of one prompt (completion plus judgement). Default 30s.")
    @Pattern("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$")
    private String timeout;

    public ConfigMapKeyRef getConfigMapRef() {
        return configMapRef;
    }

    public void setConfigMapRef(ConfigMapKeyRef configMapRef) {
        this.configMapRef = configMapRef;
    }

    public SuiteSpec withConfigMapRef(ConfigMapKeyRef configMapRef) {
        this.configMapRef = configMapRef;
        return this;
    }

    public Integer getConcurrency() {
        return concurrency;
    }

    public void setConcurrency(Integer concurrency) {
        this.concurrency = concurrency;
    }

    public SuiteSpec withConcurrency(Integer concurrency) {
        this.concurrency = concurrency;
        return this;
    }

    public String getTimeout() {
        return timeout;
    }

    public void setTimeout(String timeout) {
        this.timeout = timeout;
    }

    public SuiteSpec withTimeout(String timeout) {
        this.timeout = timeout;
        return this;
    }
}
