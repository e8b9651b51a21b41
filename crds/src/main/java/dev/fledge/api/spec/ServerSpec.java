package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import lombok.Getter;
import lombok.Setter;

/** How one model version is served. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value =
                "!has(self.canary) || !has(self.canary.replicas) || self.canary.replicas <= (has(self.replicas) ? self.replicas : 2)",
        message = "server.canary.replicas must not exceed server.replicas",
        fieldPath = ".canary")
@ValidationRule(
        value =
                "!has(self.dynamicStableScale) || (has(self.canary) && has(self.canary.matchTrafficWeight) && self.canary.matchTrafficWeight)",
        message =
                "server.dynamicStableScale needs server.canary.matchTrafficWeight: true (a canary at a fixed size could leave stable short of its share)",
        fieldPath = ".dynamicStableScale")
@ValidationRule(
        value =
                "!has(self.upstream) || ((has(self.upstream.port) ? self.upstream.port : 8000) != (has(self.port) ? self.port : 8080)"
                        + " && (has(self.upstream.port) ? self.upstream.port : 8000)"
                        + " != (has(self.port) ? (self.port < 65535 ? self.port + 1 : self.port - 1) : 8081))",
        message = "server.upstream.port (default 8000) must differ from server.port (default 8080) and the public port"
                + " beside it: those are the sidecar's",
        fieldPath = ".upstream")
@ValidationRule(
        value = "has(self.upstream) || !has(self.template) || !has(self.template.spec)"
                + " || !has(self.template.spec.containers)"
                + " || self.template.spec.containers.all(c, !has(c.command) && !has(c.args))",
        message = "server.template: command and args of the model container only with server.upstream (another server's"
                + " image); the Fledge model server is started by the operator",
        fieldPath = ".template")
@ValidationRule(
        value = "!has(self.upstream) || has(self.image)",
        message = "server.upstream needs server.image (the other server's image): the operator's default image is the"
                + " Fledge model server",
        fieldPath = ".upstream")
@ValidationRule(
        value = "!has(self.autoscaling) || !has(self.replicas)",
        message = "server.autoscaling: not with server.replicas (each track's HorizontalPodAutoscaler sizes it between"
                + " autoscaling.minReplicas and maxReplicas)",
        fieldPath = ".autoscaling")
@ValidationRule(
        value = "!has(self.autoscaling) || (!has(self.canary) && !has(self.dynamicStableScale))",
        message =
                "server.autoscaling: not with server.canary or server.dynamicStableScale (under autoscaling the canary's"
                        + " floor follows its public weight and stable keeps its size through a rollout; docs/runbook.md)",
        fieldPath = ".autoscaling")
@Getter
@Setter
public class ServerSpec {

    @JsonPropertyDescription("Container image of the model server. Default fledge/model-server:0.1.0.")
    @Size(min = 1)
    private String image;

    @JsonPropertyDescription(
            "Replicas of the stable Deployment, and of the canary while it serves a stage (unless canary says otherwise). Default 2.")
    @Min(1)
    @Max(100)
    private Integer replicas;

    @JsonPropertyDescription(
            "How many replicas the canary runs in each stage: a fixed number, or following its public weight (matchTrafficWeight). Default: server.replicas from preflight on. gatewayAPI router only (the replicas router splits traffic by replica counts).")
    private CanaryScaleSpec canary;

    @JsonPropertyDescription(
            "Stable shrinks as the canary's public share grows, never below what its own share needs, so stable + canary stay within server.replicas + surge. Before a rollback or an abort sends traffic back, stable is grown to server.replicas and ready. Needs canary.matchTrafficWeight and the gatewayAPI router.")
    private DynamicStableScaleSpec dynamicStableScale;

    @JsonPropertyDescription(
            "One HorizontalPodAutoscaler per track, owned by the operator, sizes each track between minReplicas and maxReplicas; the operator never writes replicas over it, and only raises a track's floor while a rollout needs it (the canary's follows its public weight; stable keeps its size until the canary is scaled down after the rollout). Not with replicas, canary or dynamicStableScale; needs the gatewayAPI router.")
    private AutoscalingSpec autoscaling;

    @JsonPropertyDescription("Container port of the model server HTTP API. Default 8080.")
    @Min(1)
    @Max(65535)
    private Integer port;

    @JsonPropertyDescription(
            "Which server's metrics the built-in metric templates read: fledge (default; Fledge's model server, or any server behind the Fledge proxy), vllm, tgi, nim, triton, or openai (any OpenAI-compatible server behind the Fledge proxy). A template the profile has no metric for is refused (docs/servers.md).")
    private ServerProfile profile;

    @JsonPropertyDescription(
            "The model container (spec.server.image, its template container model-server) is another OpenAI-compatible"
                    + " server (vLLM, TGI, NIM...) listening on upstream.port; the operator adds the Fledge sidecar"
                    + " fledge-proxy in front of it, which serves the ports the Services, probes and gates use"
                    + " (docs/servers.md). The template's command and args of model-server are then kept: they tell"
                    + " the server which model to load (it does not read spec.model.uri). Needs spec.server.image, and an operator with upstream enabled"
                    + " (chart operator.modelPods.upstream.enabled).")
    private UpstreamSpec upstream;

    @JsonPropertyDescription(
            "Optional pod template merged under the generated one. Only an allow-list of fields: extra labels and annotations; resources, env and volumeMounts of the container named model-server, and its command and args with upstream only; nodeSelector, tolerations, affinity; volumes of the types emptyDir, configMap, secret, downwardAPI, persistentVolumeClaim and ephemeral (hostPath only under a prefix the operator allows, and only mounted readOnly). The operator sets a restricted securityContext and automountServiceAccountToken: false.")
    @SchemaFrom(type = PodTemplateSchema.class)
    private PodTemplateSpec template;

    public ServerSpec withImage(String image) {
        this.image = image;
        return this;
    }

    public ServerSpec withReplicas(Integer replicas) {
        this.replicas = replicas;
        return this;
    }

    public ServerSpec withCanary(CanaryScaleSpec canary) {
        this.canary = canary;
        return this;
    }

    public ServerSpec withDynamicStableScale(DynamicStableScaleSpec dynamicStableScale) {
        this.dynamicStableScale = dynamicStableScale;
        return this;
    }

    public ServerSpec withAutoscaling(AutoscalingSpec autoscaling) {
        this.autoscaling = autoscaling;
        return this;
    }

    public ServerSpec withPort(Integer port) {
        this.port = port;
        return this;
    }

    public ServerSpec withProfile(ServerProfile profile) {
        this.profile = profile;
        return this;
    }

    public ServerSpec withUpstream(UpstreamSpec upstream) {
        this.upstream = upstream;
        return this;
    }

    public ServerSpec withTemplate(PodTemplateSpec template) {
        this.template = template;
        return this;
    }
}
