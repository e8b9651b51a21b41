package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
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
    /**
     * A Kubernetes object name (DNS-1123 subdomain), as every Gateway's and listener's is: the operator reads the
     * Gateway by it, so nothing else (a {@code /}, a {@code ..}) may reach the request's path.
     */
    public static final String NAME = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
    /** A namespace name (DNS-1123 label), or empty (the release's namespace, as when it is left out). */
    public static final String NAMESPACE = "^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$";
    /** A listener name, or empty (as when it is left out). */
    public static final String SECTION = "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$";

    @JsonPropertyDescription("Name of the Gateway.")
    @Required
    @Size(min = 1, max = 253)
    @Pattern(NAME)
    private String name;

    @JsonPropertyDescription("Namespace of the Gateway. Default: the release namespace.")
    @Size(max = 63)
    @Pattern(NAMESPACE)
    private String namespace;

    @JsonPropertyDescription("Listener name on the Gateway.")
    @Size(max = 253)
    @Pattern(SECTION)
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
