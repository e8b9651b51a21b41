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
 * The model container is another OpenAI-compatible server (vLLM, TGI, NIM, ...): the operator runs it as the user's
 * container {@code model-server} and puts the Fledge model server in proxy mode beside it, as the sidecar {@code
 * fledge-proxy}, which serves the pod contract (ports, probes, metrics, guard, response ids). docs/servers.md.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
public class UpstreamSpec {
    /** Default of {@link #port}: vLLM's. */
    public static final int DEFAULT_PORT = 8000;
    /** Default of {@link #readinessPath}: vLLM's and TGI's. */
    public static final String DEFAULT_READINESS_PATH = "/health";
    /**
     * An absolute URI path of RFC 3986 characters only (unreserved, sub-delims, {@code :}, {@code @}, {@code /} and
     * {@code %} with two hex digits): the sidecar and Prometheus build URIs of it.
     */
    public static final String PATH = "^/([A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-Fa-f]{2})*$";
    /** Default of {@link #metricsPath}. */
    public static final String DEFAULT_METRICS_PATH = "/metrics";

    @JsonPropertyDescription(
            "Container port the model container (spec.server.image) serves its OpenAI-compatible API on, at 127.0.0.1"
                    + " too: the sidecar forwards to http://127.0.0.1:<port>. Named upstream in the pod. Must differ"
                    + " from spec.server.port and the public port beside it. Default 8000.")
    @Min(1)
    @Max(65535)
    private Integer port;

    @JsonPropertyDescription(
            "Path of the model container that answers 200 once its model is loaded (GET, on port): the sidecar's"
                    + " readiness follows it. RFC 3986 path characters only. Default /health (vLLM, TGI); NIM: /v1/health/ready.")
    @Pattern(PATH)
    @Size(max = 256)
    private String readinessPath;

    @JsonPropertyDescription(
            "Path of the model container's own Prometheus metrics on port (the second scrape target of the pod,"
                    + " read by the server profiles' templates). RFC 3986 path characters only. Default /metrics.")
    @Pattern(PATH)
    @Size(max = 256)
    private String metricsPath;

    @JsonPropertyDescription(
            "Container image of the Fledge sidecar (the model server in proxy mode). Default: the operator's proxy"
                    + " image (chart operator.modelPods.proxyImage, else its default model-server image).")
    @Size(min = 1)
    private String proxyImage;

    public UpstreamSpec withPort(Integer port) {
        this.port = port;
        return this;
    }

    public UpstreamSpec withReadinessPath(String readinessPath) {
        this.readinessPath = readinessPath;
        return this;
    }

    public UpstreamSpec withMetricsPath(String metricsPath) {
        this.metricsPath = metricsPath;
        return this;
    }

    public UpstreamSpec withProxyImage(String proxyImage) {
        this.proxyImage = proxyImage;
        return this;
    }
}
