package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.fledge.api.KubeNames;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import lombok.Getter;
import lombok.Setter;

/** A ConfigMap (and key) in the release namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
public class ConfigMapKeyRef {

    @JsonPropertyDescription("ConfigMap name.")
    @Required
    @Size(min = 1, max = 253)
    @Pattern(KubeNames.OBJECT_NAME)
    private String name;

    @JsonPropertyDescription("Key holding the prompts. Default prompts.yaml.")
    @Size(max = 253)
    private String key;

    public ConfigMapKeyRef withName(String name) {
        this.name = name;
        return this;
    }

    public ConfigMapKeyRef withKey(String key) {
        this.key = key;
        return this;
    }
}
