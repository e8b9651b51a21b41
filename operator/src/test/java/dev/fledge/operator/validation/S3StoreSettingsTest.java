package dev.fledge.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.spec.S3StoreSpec;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.spec.UpstreamSpec;
import dev.fledge.api.status.ServingStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code spec.model.s3} is the Fledge model server's S3 store: only for an {@code s3://} model the Fledge server loads,
 * and never with a response-id key as its Secret.
 */
class S3StoreSettingsTest {
    final SpecValidator validator =
            new SpecValidator(PodTemplatePolicy.anyImage().withUpstream(true), java.time.Duration.ZERO);

    static ModelReleaseSpec release(String uri, S3StoreSpec s3) {
        return new ModelReleaseSpec()
                .withModel(new ModelSpec()
                        .withName("assistant")
                        .withVersion("1.0.0")
                        .withUri(uri)
                        .withS3(s3));
    }

    List<String> errors(ModelReleaseSpec spec) {
        return validator.validate(SpecValidatorTest.release("assistant", spec));
    }

    @Test
    void aStoreForAnS3ModelIsValid() {
        assertThat(errors(release(
                        "s3://models/assistant/1.0.0.zip",
                        new S3StoreSpec()
                                .withEndpoint("http://minio.storage:9000")
                                .withRegion("eu-west-1")
                                .withSecretName("model-store"))))
                .isEmpty();
    }

    /** The CRD's rule, for an object the API server stored without it. The URI itself is never shown. */
    @Test
    void aStoreForAModelNotOnS3IsRefused() {
        for (String uri : List.of("https://models.example/a.zip?X-Amz-Signature=secret", "file:///models/a.zip")) {
            assertThat(errors(release(uri, new S3StoreSpec().withSecretName("model-store"))))
                    .singleElement()
                    .asString()
                    .startsWith("spec.model.s3: model.s3 applies only to an s3:// uri")
                    .doesNotContain("secret");
        }
    }

    /** Another server loads the model itself: the operator gives the store to the Fledge sidecar, which loads none. */
    @Test
    void aStoreWithAnotherServerIsRefusedWithWhereToGiveItsSettings() {
        ModelReleaseSpec spec = release("s3://models/llama/8b.zip", new S3StoreSpec().withSecretName("model-store"))
                .withServer(
                        new ServerSpec().withImage("vllm/vllm-openai:v0.9.1").withUpstream(new UpstreamSpec()));
        assertThat(errors(spec))
                .singleElement()
                .asString()
                .startsWith("spec.model.s3: not with spec.server.upstream")
                .contains("spec.server.template");
    }

    /** As {@link PodTemplatePolicy} refuses a template volume of it: only the operator mounts a response-id key. */
    @Test
    void aResponseIdKeyAsTheStoresSecretIsRefused() {
        assertThat(errors(release(
                        "s3://models/assistant/1.0.0.zip", new S3StoreSpec().withSecretName("other-feedback-key"))))
                .singleElement()
                .asString()
                .startsWith("spec.model.s3.secretName: other-feedback-key: a release's response-id key")
                .contains("mounted by the operator only");

        ServingStatus recorded = new ServingStatus();
        recorded.setName("assistant");
        recorded.setVersion("1.0.0");
        recorded.setUri("s3://models/assistant/1.0.0.zip");
        recorded.setS3(new S3StoreSpec().withSecretName("other-feedback-key"));
        assertThat(new RecordedServingPolicy(PodTemplatePolicy.anyImage(), "fledge/model-server:0.1.0")
                        .refusals(recorded))
                .singleElement()
                .asString()
                .startsWith("status.stable.s3.secretName: other-feedback-key: a release's response-id key");
    }

    /**
     * The cloud metadata service (and other link-local, unspecified or multicast addresses) as the store: the server
     * would ask it with the release's credentials, and what it answered shows in the pod's termination message
     * (security review of spec.model.s3, MEDIUM). Names are not resolved here: the egress NetworkPolicy covers those.
     */
    @Test
    void aMetadataOrLinkLocalEndpointIsRefused() {
        for (String endpoint : List.of(
                "http://169.254.169.254",
                "http://169.254.169.254:80/latest",
                "http://[fe80::1]:9000",
                "http://[fd00:ec2::254]",
                "http://metadata.google.internal",
                "http://METADATA.google.internal.",
                "http://0.0.0.0:9000",
                "http://224.0.0.1")) {
            assertThat(errors(release("s3://latest/meta-data/iam", new S3StoreSpec().withEndpoint(endpoint))))
                    .as(endpoint)
                    .singleElement()
                    .asString()
                    .startsWith("spec.model.s3.endpoint: ")
                    .contains("may not ask it");
        }
        for (String endpoint : List.of(
                "http://127.0.0.1:9000", // the pod's own loopback; a test's store on one machine
                "http://minio.storage.svc:9000",
                "https://s3.eu-central-1.amazonaws.com",
                "http://10.0.0.7:9000",
                "http://[2001:db8::7]:9000")) {
            assertThat(errors(release("s3://models/a.zip", new S3StoreSpec().withEndpoint(endpoint))))
                    .as(endpoint)
                    .isEmpty();
        }
    }

    /**
     * A template volume of the operator's name for the store: refused, whether or not the release has a store. Before,
     * it was dropped without a word, so a stable Deployment that mounted it was rebuilt without it (ungated) after the
     * upgrade; now the release goes Invalid and keeps its Deployments.
     */
    @Test
    void aTemplateVolumeOfTheStoresNameIsRefused() {
        ModelReleaseSpec spec = release("file:///models/a", null)
                .withServer(new ServerSpec()
                        .withTemplate(new io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder()
                                .withNewSpec()
                                .addNewVolume()
                                .withName("cache")
                                .withNewEmptyDir()
                                .endEmptyDir()
                                .endVolume()
                                .addNewVolume()
                                .withName("fledge-model-s3")
                                .withNewEmptyDir()
                                .endEmptyDir()
                                .endVolume()
                                .endSpec()
                                .build()));
        assertThat(errors(spec))
                .singleElement()
                .asString()
                .startsWith("spec.server.template.spec.volumes[1].name: fledge-model-s3 is the operator's volume");
    }
}
