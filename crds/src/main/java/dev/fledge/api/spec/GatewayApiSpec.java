package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import lombok.Getter;
import lombok.Setter;

/** Settings of the Gateway API router. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
public class GatewayApiSpec {

    @JsonPropertyDescription("Name of the HTTPRoute the operator owns. Default: the release name.")
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    @Size(max = 63)
    private String httpRoute;

    @JsonPropertyDescription(
            "Gateways (or listeners) the route attaches to. The operator checks that each Gateway exists (a Gateway found is taken as there for a minute, so one deleted in that minute shows as RouteNotAccepted, not Invalid), and that this operator allows it (fledge.routing.allowed-parent-refs).")
    @Required
    @Size(min = 1, max = 8)
    private List<ParentReference> parentRefs;

    @JsonPropertyDescription(
            "Hostnames of the release's public HTTPRoute (e.g. assistant.example.com). Default: none, and the route serves every host of its listeners. Required when the operator limits hostnames (fledge.routing.allowed-hostnames).")
    @Size(max = 16)
    private List<String> hostnames;

    @JsonPropertyDescription(
            "How internal users are told apart: hostnames or parentRefs that only they reach (their own HTTPRoute), or, with headerAudiences, a header (default X-Fledge-Audience: internal).")
    private AudienceRouteSpec internal;

    @JsonPropertyDescription(
            "How the closed group is told apart (see internal; default header X-Fledge-Audience: closed).")
    private AudienceRouteSpec closed;

    @JsonPropertyDescription(
            "Opt-in to header audiences: an audience without hostnames or parentRefs is told apart by a header rule in the release's HTTPRoute, on the public listeners. Without it, an audience of spec.stages with neither gets no route (its users get the public split) and the release carries the condition AudienceNotRouted.")
    private HeaderAudiencesSpec headerAudiences;

    @JsonPropertyDescription(
            "Route to InferencePools (Gateway API Inference Extension v1) instead of Services: the operator owns one pool per track, <release>-stable and <release>-canary, selecting the track's pods, and the HTTPRoute's weighted backendRefs name the pools. Each pool asks its endpoint picker, a Service you run, which pod serves a request. Needs the InferencePool CRD (inference.networking.k8s.io/v1) on the cluster and a Gateway that implements the Inference Extension. The shadow stage's mirror still goes to the canary's Service.")
    private InferencePoolSpec inferencePool;

    public GatewayApiSpec withHttpRoute(String httpRoute) {
        this.httpRoute = httpRoute;
        return this;
    }

    public GatewayApiSpec withParentRefs(List<ParentReference> parentRefs) {
        this.parentRefs = parentRefs;
        return this;
    }

    public GatewayApiSpec withHostnames(List<String> hostnames) {
        this.hostnames = hostnames;
        return this;
    }

    public GatewayApiSpec withInternal(AudienceRouteSpec internal) {
        this.internal = internal;
        return this;
    }

    public GatewayApiSpec withClosed(AudienceRouteSpec closed) {
        this.closed = closed;
        return this;
    }

    public GatewayApiSpec withHeaderAudiences(HeaderAudiencesSpec headerAudiences) {
        this.headerAudiences = headerAudiences;
        return this;
    }

    public GatewayApiSpec withInferencePool(InferencePoolSpec inferencePool) {
        this.inferencePool = inferencePool;
        return this;
    }
}
