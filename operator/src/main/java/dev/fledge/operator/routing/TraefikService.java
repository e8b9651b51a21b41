package dev.fledge.operator.routing;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.List;

/**
 * Traefik's TraefikService ({@code traefik.io/v1alpha1}), the fields of its {@code mirroring} form that the operator
 * writes: a Service that gets every request, and Services that get copies of a percent of them. Its CRD is Traefik's,
 * vendored in {@code vendor/traefik-v3.6.12/}; this class only reads and writes objects of it (the operator generates
 * no CRD from it). See {@link TraefikMirror}.
 */
@Group(TraefikService.GROUP)
@Version("v1alpha1")
@Kind(TraefikService.KIND)
@Plural("traefikservices")
public class TraefikService extends CustomResource<TraefikService.Spec, Void> implements Namespaced {
    public static final String GROUP = "traefik.io";
    public static final String KIND = "TraefikService";

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Spec(Mirroring mirroring) {}

    /** The Service that answers ({@code name}, {@code port}) and those that get copies. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Mirroring(String name, Integer port, List<Mirror> mirrors) {}

    /** A Service that gets a copy of {@code percent} of the requests; its answers are discarded. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Mirror(String name, Integer port, Integer percent) {}
}
