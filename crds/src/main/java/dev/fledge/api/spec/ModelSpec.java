package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import lombok.Getter;
import lombok.Setter;

/** The model and the version to release. */
@JsonInclude(JsonInclude.Include.NON_NULL)
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
            "Where the model version is stored. The built-in server loads file:// (a directory or a zip archive on a volume the pod template mounts, as in the quick start) and https:// or s3:// zip archives; gs://, http:// and pvc:// pass this schema for a spec.server.image of your own, and the built-in server refuses them when it starts. Passed to the server as FLEDGE_MODEL_URI.")
    @Required
    @Pattern("^(s3|gs|https|http|file|pvc)://.+$")
    private String uri;

    @JsonPropertyDescription(
            "Format of the stored model: djl (DJL weights with a Fledge descriptor, in a zip archive), the one the built-in server loads. Default djl.")
    private ModelFormat format;

    @JsonPropertyDescription("Optional SHA-256 of the model archive, checked by the server after download.")
    @Pattern("^[a-f0-9]{64}$")
    private String sha256;

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
}
