package dev.fledge.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.fledge.api.spec.JudgeSpec;
import dev.fledge.api.spec.ModelFormat;
import dev.fledge.api.spec.S3StoreSpec;
import dev.fledge.api.spec.UpstreamSpec;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import lombok.Getter;
import lombok.Setter;

/**
 * The serving configuration of one track: everything of the spec that goes into its pods, with the operator's
 * defaults applied. {@code status.stable} keeps the one the stable version was promoted with until the next
 * promotion; replicas are not part of it (they apply at once).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
public class ServingStatus {

    @JsonPropertyDescription("The model version (spec.model.version).")
    private String version;

    @JsonPropertyDescription("The model name (spec.model.name).")
    private String name;

    @JsonPropertyDescription("Where the model version is stored (spec.model.uri).")
    private String uri;

    @JsonPropertyDescription("Format of the stored model (spec.model.format).")
    private ModelFormat format;

    @JsonPropertyDescription("SHA-256 of the model archive (spec.model.sha256).")
    private String sha256;

    @JsonPropertyDescription("The S3 store of an s3:// model (spec.model.s3); unset: the AWS SDK's defaults.")
    private S3StoreSpec s3;

    @JsonPropertyDescription("Container image of the model server (spec.server.image, or the operator's default).")
    private String image;

    @JsonPropertyDescription("Container port of the model server (spec.server.port, or the operator's default).")
    private Integer port;

    @JsonPropertyDescription(
            "The model container's server behind the Fledge sidecar (spec.server.upstream, with the operator's defaults).")
    private UpstreamSpec upstream;

    @JsonPropertyDescription(
            "The classifier the model pods send each live output to (spec.analysis.safety.judge with liveOutputs and online: true); unset: the model server's word list judges live outputs.")
    private JudgeSpec liveJudge;

    @JsonPropertyDescription("The pod template merged under the generated one (spec.server.template).")
    @SchemaFrom(type = RecordedObject.class)
    @PreserveUnknownFields
    private PodTemplateSpec template;

    @JsonPropertyDescription(
            "Hash of this configuration without the version; a spec whose hash differs starts a rollout.")
    private String configHash;
}
