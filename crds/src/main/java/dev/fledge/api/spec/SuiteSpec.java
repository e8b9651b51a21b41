package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import lombok.Getter;
import lombok.Setter;

/** A red-team prompt suite. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
public class SuiteSpec {

    @JsonPropertyDescription(
            "ConfigMap that holds the prompts: completion prompts (sent to the canary's /v1/completions) and chat prompts with a system prompt and earlier turns (sent to its /v1/chat/completions); the format is in docs/safety-gate.md.")
    @Required
    private ConfigMapKeyRef configMapRef;

    @JsonPropertyDescription("Prompts in flight at once. Default 4.")
    @Min(1)
    @Max(64)
    private Integer concurrency;

    @JsonPropertyDescription("Timeout of one prompt (completion plus judgement). Default 30s.")
    @Pattern("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$")
    private String timeout;

    public SuiteSpec withConfigMapRef(ConfigMapKeyRef configMapRef) {
        this.configMapRef = configMapRef;
        return this;
    }

    public SuiteSpec withConcurrency(Integer concurrency) {
        this.concurrency = concurrency;
        return this;
    }

    public SuiteSpec withTimeout(String timeout) {
        this.timeout = timeout;
        return this;
    }
}
