package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import lombok.Getter;
import lombok.Setter;

/** An OpenAI-compatible moderation endpoint. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
public class JudgeSpec {

    @JsonPropertyDescription("URL of the /v1/moderations endpoint.")
    @Required
    @Pattern("^https?://.+$")
    private String url;

    @JsonPropertyDescription("Timeout of one judgement. Default 10s.")
    @Pattern("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$")
    private String timeout;

    public JudgeSpec withUrl(String url) {
        this.url = url;
        return this;
    }

    public JudgeSpec withTimeout(String timeout) {
        this.timeout = timeout;
        return this;
    }
}
