package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
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

    public TrafficSpec withRouter(Router router) {
        this.router = router;
        return this;
    }

    public TrafficSpec withGatewayAPI(GatewayApiSpec gatewayAPI) {
        this.gatewayAPI = gatewayAPI;
        return this;
    }
}
