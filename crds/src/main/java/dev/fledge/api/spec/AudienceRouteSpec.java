package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import lombok.Getter;
import lombok.Setter;

/** How one audience (internal or closed) is recognised. A header is only as trustworthy as the proxy that sets it; a hostname or a separate Gateway is trusted by who can reach it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
public class AudienceRouteSpec {

    @JsonPropertyDescription(
            "Header match in the release HTTPRoute, only with gatewayAPI.headerAudiences. Default X-Fledge-Audience with the audience name as value. Ignored when hostnames or parentRefs are set.")
    private HeaderMatchSpec header;

    @JsonPropertyDescription(
            "Hostnames for this audience (e.g. internal.assistant.example.com). When set, the audience gets its own HTTPRoute <httpRoute>-<audience> with these hostnames.")
    @Size(max = 16)
    private List<String> hostnames;

    @JsonPropertyDescription(
            "A separate Gateway or listener for this audience that the public cannot reach. When set, the audience gets its own HTTPRoute attached to it.")
    @Size(max = 8)
    private List<ParentReference> parentRefs;

    public AudienceRouteSpec withHeader(HeaderMatchSpec header) {
        this.header = header;
        return this;
    }

    public AudienceRouteSpec withHostnames(List<String> hostnames) {
        this.hostnames = hostnames;
        return this;
    }

    public AudienceRouteSpec withParentRefs(List<ParentReference> parentRefs) {
        this.parentRefs = parentRefs;
        return this;
    }
}
