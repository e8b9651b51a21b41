package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;
import lombok.Getter;
import lombok.Setter;

/** How requests reach the stable and canary versions. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "!has(self.router) || self.router != 'gatewayAPI' || has(self.gatewayAPI)",
        message = "router gatewayAPI needs traffic.gatewayAPI with parentRefs",
        fieldPath = ".gatewayAPI")
@ValidationRule(
        value = "!has(self.router) || self.router != 'replicas' || !has(self.gatewayAPI)",
        message = "traffic.gatewayAPI is only used by router gatewayAPI",
        fieldPath = ".router")
@Getter
@Setter
public class TrafficSpec {

    @JsonPropertyDescription(
            "Traffic router: gatewayAPI (an HTTPRoute with audience matches and weights) or replicas (Services and replica counts, works on any cluster). Default: gatewayAPI when traffic.gatewayAPI is set, otherwise replicas.")
    private Router router;

    @JsonPropertyDescription("Settings of the gatewayAPI router.")
    private GatewayApiSpec gatewayAPI;

    @JsonPropertyDescription(
            "How long the canary's pods keep running after the routes stopped sending them requests (promotion, rollback, abort), so that requests in flight and gateways or kube-proxies that apply the change late still find a pod (Go duration, 0s to 1h). Default 30s (2m under server.autoscaling: stable keeps its autoscaler floor until then), as Argo Rollouts' scaleDownDelaySeconds.")
    @Pattern("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$")
    @ValidationRule(value = "duration(self) <= duration('1h')", message = "scaleDownDelay must be at most 1h")
    private String scaleDownDelay;

    public TrafficSpec withRouter(Router router) {
        this.router = router;
        return this;
    }

    public TrafficSpec withGatewayAPI(GatewayApiSpec gatewayAPI) {
        this.gatewayAPI = gatewayAPI;
        return this;
    }

    public TrafficSpec withScaleDownDelay(String scaleDownDelay) {
        this.scaleDownDelay = scaleDownDelay;
        return this;
    }
}
