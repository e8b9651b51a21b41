package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.fledge.api.KubeNames;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import lombok.Getter;
import lombok.Setter;

/** A Gateway (and optionally a listener) an HTTPRoute attaches to. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
public class ParentReference {
    @JsonPropertyDescription("Name of the Gateway.")
    @Required
    @Size(min = 1, max = 253)
    @Pattern(KubeNames.OBJECT_NAME)
    private String name;

    @JsonPropertyDescription("Namespace of the Gateway. Default: the release namespace.")
    @Size(max = 63)
    @Pattern(KubeNames.NAMESPACE)
    private String namespace;

    @JsonPropertyDescription("Listener name on the Gateway.")
    @Size(max = 253)
    @Pattern(KubeNames.OBJECT_NAME)
    private String sectionName;

    public ParentReference withName(String name) {
        this.name = name;
        return this;
    }

    public ParentReference withNamespace(String namespace) {
        this.namespace = namespace;
        return this;
    }

    public ParentReference withSectionName(String sectionName) {
        this.sectionName = sectionName;
        return this;
    }
}
