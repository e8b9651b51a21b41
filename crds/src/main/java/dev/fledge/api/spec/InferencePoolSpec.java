package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import lombok.Getter;
import lombok.Setter;

/**
 * The gatewayAPI router's backends as InferencePools (Gateway API Inference Extension v1, {@code
 * inference.networking.k8s.io}) instead of the track Services: one pool per track, {@code <release>-stable} and {@code
 * <release>-canary}, each asking its own endpoint picker, a Service the user runs. docs/servers.md.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
public class InferencePoolSpec {
    /** Default of {@link #endpointPickerPort}: the Inference Extension's ext-proc port. */
    public static final int DEFAULT_ENDPOINT_PICKER_PORT = 9002;
    /** The suffix of a pool's endpoint picker Service by default, as the Inference Extension's chart names it. */
    public static final String ENDPOINT_PICKER_SUFFIX = "-epp";

    @JsonPropertyDescription(
            "Service of the endpoint picker of the pool <release>-stable, in the release's namespace (an endpoint"
                    + " picker serves one pool: run it with --pool-name <release>-stable). Default <release>-stable-epp.")
    @Pattern("^[a-z]([-a-z0-9]*[a-z0-9])?$")
    @Size(max = 63)
    private String stableEndpointPicker;

    @JsonPropertyDescription(
            "Service of the endpoint picker of the pool <release>-canary (--pool-name <release>-canary)."
                    + " Default <release>-canary-epp.")
    @Pattern("^[a-z]([-a-z0-9]*[a-z0-9])?$")
    @Size(max = 63)
    private String canaryEndpointPicker;

    @JsonPropertyDescription("Port of both endpoint picker Services (their gRPC ext-proc port). Default 9002.")
    @Min(1)
    @Max(65535)
    private Integer endpointPickerPort;

    @JsonPropertyDescription(
            "What the Gateway does while an endpoint picker does not answer: FailClose (requests fail, the default)"
                    + " or FailOpen (the Gateway picks a pod of the pool itself).")
    private InferencePoolFailureMode failureMode;

    public InferencePoolSpec withStableEndpointPicker(String stableEndpointPicker) {
        this.stableEndpointPicker = stableEndpointPicker;
        return this;
    }

    public InferencePoolSpec withCanaryEndpointPicker(String canaryEndpointPicker) {
        this.canaryEndpointPicker = canaryEndpointPicker;
        return this;
    }

    public InferencePoolSpec withEndpointPickerPort(Integer endpointPickerPort) {
        this.endpointPickerPort = endpointPickerPort;
        return this;
    }

    public InferencePoolSpec withFailureMode(InferencePoolFailureMode failureMode) {
        this.failureMode = failureMode;
        return this;
    }
}
