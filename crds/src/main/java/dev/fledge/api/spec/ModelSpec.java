package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** The model and the version to release. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ModelSpec {

    @JsonPropertyDescription("Name of the model (a DNS label).")
    @Required
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    @Size(max = 63)
    private String name;

    @JsonPropertyDescription("The desired version. Editing it starts a rollout from preflight. It becomes the fledge.dev/version label, so it must be a valid label value.")
    @Required
    @Pattern("^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$")
    private String version;

    @JsonPropertyDescription("Where the model version is stored: s3://, gs://, https://, pvc://claim/path, or file:// (tests). Passed to the server as FLEDGE_MODEL_URI.")
    @Required
    @Pattern("^(s3|gs|https|http|file|pvc)://.+$")
    private String uri;

    @JsonPropertyDescription("Format of the stored model. Default djl.")
    private ModelFormat format;

    @JsonPropertyDescription("Optional SHA-256 of the model archive, checked by the server after download.")
    @Pattern("^[a-f0-9]{64}$")
    private String sha256;

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public ModelSpec withName(String name) {
        this.name = name;
        return this;
    }

    public String getVersion() {
        return version;
    }

    public void setVersion(String version) {
        this.version = version;
    }

    public ModelSpec withVersion(String version) {
        this.version = version;
        return this;
    }

    public String getUri() {
        return uri;
    }

    public void setUri(String uri) {
        this.uri = uri;
    }

    public ModelSpec withUri(String uri) {
        this.uri = uri;
        return this;
    }

    public ModelFormat getFormat() {
        return format;
    }

    public void setFormat(ModelFormat format) {
        this.format = format;
    }

    public ModelSpec withFormat(ModelFormat format) {
        this.format = format;
        return this;
    }

    public String getSha256() {
        return sha256;
    }

    public void setSha256(String sha256) {
        this.sha256 = sha256;
    }

    public ModelSpec withSha256(String sha256) {
        this.sha256 = sha256;
        return this;
    }
}
