package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.fledge.api.KubeNames;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import lombok.Getter;
import lombok.Setter;

/** A key of a Secret in the release namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
public class SecretKeyRef {

    @JsonPropertyDescription("Secret name.")
    @Required
    @Size(min = 1, max = 253)
    @Pattern(KubeNames.OBJECT_NAME)
    private String name;

    @JsonPropertyDescription("Key inside the Secret.")
    @Required
    @Size(min = 1, max = 253)
    @Pattern("^[-._a-zA-Z0-9]+$")
    private String key;

    public SecretKeyRef withName(String name) {
        this.name = name;
        return this;
    }

    public SecretKeyRef withKey(String key) {
        this.key = key;
        return this;
    }
}
