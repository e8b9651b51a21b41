package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import lombok.Getter;
import lombok.Setter;

/** An exact HTTP header match. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
public class HeaderMatchSpec {

    @JsonPropertyDescription("Header name.")
    @Required
    @Pattern("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
    private String name;

    @JsonPropertyDescription("Exact header value.")
    @Required
    @Size(min = 1, max = 4096)
    private String value;

    public HeaderMatchSpec withName(String name) {
        this.name = name;
        return this;
    }

    public HeaderMatchSpec withValue(String value) {
        this.value = value;
        return this;
    }
}
