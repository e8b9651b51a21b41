package dev.fledge.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import lombok.Getter;
import lombok.Setter;

/** The prompt suite a safety verdict was judged on. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
public class SuiteRefStatus {

    @JsonPropertyDescription(
            "The suite's name: the ConfigMap name, and the key when it is not prompts.yaml (name/key).")
    private String name;

    @JsonPropertyDescription(
            "The first 12 hex digits of the SHA-256 of the suite's YAML: a changed suite has a new hash, and its evidence starts again.")
    private String hash;

    @JsonPropertyDescription("Prompts in the suite.")
    private Integer prompts;

    public SuiteRefStatus withName(String name) {
        this.name = name;
        return this;
    }

    public SuiteRefStatus withHash(String hash) {
        this.hash = hash;
        return this;
    }

    public SuiteRefStatus withPrompts(Integer prompts) {
        this.prompts = prompts;
        return this;
    }
}
