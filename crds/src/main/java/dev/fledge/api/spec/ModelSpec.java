package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import lombok.Getter;
import lombok.Setter;

/** The model and the version to release. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "!has(self.s3) || self.uri.startsWith('s3://')",
        message = "model.s3 applies only to an s3:// uri",
        fieldPath = ".s3")
@Getter
@Setter
public class ModelSpec {

    @JsonPropertyDescription("Name of the model (a DNS label).")
    @Required
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    @Size(max = 63)
    private String name;

    @JsonPropertyDescription(
            "The desired version. Editing it starts a rollout from preflight. It becomes the fledge.dev/version label, so it must be a valid label value.")
    @Required
    @Pattern("^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$")
    private String version;

    @JsonPropertyDescription(
            "Where the model version is stored. The built-in server loads file:// (a directory or a zip archive on a volume the pod template mounts, as in the quick start), pvc://claim/path (a directory or a zip archive on a PersistentVolumeClaim of the release's namespace, which the operator mounts read-only at /var/run/fledge/model, so path is /var/run/fledge/model/path in the pod; the claim must allow the pods of both tracks to mount it, e.g. ReadOnlyMany) and https:// or s3:// zip archives; http:// passes this schema for a spec.server.image of your own, and the built-in server refuses it when it starts. Passed to the server as FLEDGE_MODEL_URI.")
    @Required
    @Size(max = 4096)
    @Pattern(
            "^((s3|https|http|file)://.+|pvc://[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(/.*)?)$")
    @ValidationRule(
            value = "!self.startsWith('pvc://') || !self.matches('/[.]{1,2}(/|$)')",
            message = "a pvc:// model uri may not hold . or .. path segments")
    private String uri;

    @JsonPropertyDescription(
            "Format of the stored model: djl (DJL weights with a Fledge descriptor, in a zip archive), the one the built-in server loads. Default djl.")
    private ModelFormat format;

    @JsonPropertyDescription("Optional SHA-256 of the model archive, checked by the server after download.")
    @Pattern("^[a-f0-9]{64}$")
    private String sha256;

    @JsonPropertyDescription(
            "The S3 store of an s3:// uri: an S3-compatible endpoint, the region, and a Secret with the credentials, which the operator passes to the Fledge model server (not with server.upstream: give your own server its store settings in server.template). Part of the serving configuration: editing it is a rollout, like a model change. Unset: AWS's own endpoint, region us-east-1 and the AWS SDK's default credential chain (the pod's service account through web identity, as IRSA sets it up).")
    private S3StoreSpec s3;

    public ModelSpec withName(String name) {
        this.name = name;
        return this;
    }

    public ModelSpec withVersion(String version) {
        this.version = version;
        return this;
    }

    public ModelSpec withUri(String uri) {
        this.uri = uri;
        return this;
    }

    public ModelSpec withFormat(ModelFormat format) {
        this.format = format;
        return this;
    }

    public ModelSpec withSha256(String sha256) {
        this.sha256 = sha256;
        return this;
    }

    public ModelSpec withS3(S3StoreSpec s3) {
        this.s3 = s3;
        return this;
    }
}
