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
import java.util.Map;

/**
 * The Gateway API Inference Extension's InferencePool, v1 ({@code inference.networking.k8s.io}): the fields the
 * operator writes. Its CRD is the Extension's, vendored in {@code vendor/gateway-api-inference-extension-v1.0.0/};
 * this class only reads and writes objects of it (the operator generates no CRD from it).
 */
@Group(InferencePool.GROUP)
@Version("v1")
@Kind(InferencePool.KIND)
@Plural("inferencepools")
public class InferencePool extends CustomResource<InferencePool.Spec, Void> implements Namespaced {
    public static final String GROUP = "inference.networking.k8s.io";
    public static final String KIND = "InferencePool";

    /** {@code spec}: the pods (by label), the port requests go to, and the endpoint picker to ask. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Spec(Selector selector, List<Port> targetPorts, EndpointPickerRef endpointPickerRef) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Selector(Map<String, String> matchLabels) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Port(int number) {}

    /** A Service (the default kind) by name, with its port, and what the Gateway does when it does not answer. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record EndpointPickerRef(String name, Port port, String failureMode) {}
}
