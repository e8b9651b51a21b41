package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import lombok.Getter;
import lombok.Setter;

/** The S3 store an {@code s3://} model is read from: its endpoint, region and credentials. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
public class S3StoreSpec {
    /** An S3-compatible endpoint: http or https, a host, no user info, query or fragment. */
    public static final String ENDPOINT = "^https?://[^/?#@\\s]+(/[^?#\\s]*)?$";

    @JsonPropertyDescription(
            "An S3-compatible endpoint (MinIO, Ceph, a cloud's S3 API), http:// or https:// with a host and an optional port and path, no user info, query or fragment: for example http://minio.storage.svc:9000. The server addresses it path-style (endpoint/bucket/key). An https:// endpoint's certificate must chain to a CA of the JVM's trust store or of FLEDGE_MODEL_CA_FILE. Unset: AWS's own endpoint of the region.")
    @Pattern(ENDPOINT)
    @Size(max = 2048)
    private String endpoint;

    @JsonPropertyDescription("The region requests are signed for (and AWS's endpoint is chosen by). Default us-east-1.")
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    @Size(max = 64)
    private String region;

    @JsonPropertyDescription(
            "A Secret of the release's namespace holding the keys AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (the convention KServe uses). The operator mounts these two keys read-only into the Fledge model server's container only, at /var/run/fledge/model-s3, and points the server at them; a pod does not start while the Secret or either key is missing. The server reads them only to download the archive, when a pod starts without it cached: new keys in the Secret need no restart, pods that start later mount them. Not a release's response-id key Secret (*-feedback-key). Unset: the AWS SDK's default credential chain (the pod's service account through web identity, as IRSA sets it up; AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in spec.server.template's env).")
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
    @Size(max = 253)
    private String secretName;

    public S3StoreSpec withEndpoint(String endpoint) {
        this.endpoint = endpoint;
        return this;
    }

    public S3StoreSpec withRegion(String region) {
        this.region = region;
        return this;
    }

    public S3StoreSpec withSecretName(String secretName) {
        this.secretName = secretName;
        return this;
    }
}
