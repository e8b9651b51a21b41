package dev.fledge.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.spec.ServerSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import org.junit.jupiter.api.Test;

/** A pod with two volumes of one claim never starts: the model's claim may not be mounted by the template again. */
class ModelClaimVolumesTest {
    final SpecValidator validator = new SpecValidator();

    static ModelReleaseSpec release(String uri, String templateYaml) throws Exception {
        return new ModelReleaseSpec()
                .withModel(new ModelSpec().withName("a").withVersion("1").withUri(uri))
                .withServer(new ServerSpec()
                        .withTemplate(
                                new ObjectMapper(new YAMLFactory()).readValue(templateYaml, PodTemplateSpec.class)));
    }

    static final String MOUNTS_WEIGHTS = """
            spec:
              containers:
                - name: model-server
                  volumeMounts: [{name: extra, mountPath: /data}, {name: weights, mountPath: /weights, readOnly: true}]
              volumes:
                - {name: extra, emptyDir: {}}
                - {name: weights, persistentVolumeClaim: {claimName: weights, readOnly: true}}
            """;

    @Test
    void theModelsClaimMountedAgainByTheTemplateIsRefusedWithThePathToUse() throws Exception {
        assertThat(validator.validate(
                        SpecValidatorTest.release("assistant", release("pvc://weights/v1", MOUNTS_WEIGHTS))))
                .singleElement()
                .asString()
                .startsWith("spec.server.template.spec.volumes[1].persistentVolumeClaim.claimName: weights is the claim"
                        + " of spec.model.uri")
                .contains("/var/run/fledge/model")
                .contains("never starts");
    }

    @Test
    void oneClaimMountedThroughTwoTemplateVolumesIsRefusedToo() throws Exception {
        String twice = """
                spec:
                  containers:
                    - name: model-server
                      volumeMounts: [{name: a, mountPath: /a}, {name: b, mountPath: /b}]
                  volumes:
                    - {name: a, persistentVolumeClaim: {claimName: shared}}
                    - {name: b, persistentVolumeClaim: {claimName: shared}}
                """;
        assertThat(validator.validate(SpecValidatorTest.release("assistant", release("pvc://weights/v1", twice))))
                .singleElement()
                .asString()
                .startsWith("spec.server.template.spec.volumes[1].persistentVolumeClaim.claimName: shared is mounted"
                        + " through spec.server.template.spec.volumes[0] already");
    }

    @Test
    void aVolumeNoContainerMountsOrTheOneTheOperatorReplacesIsLeftAlone() throws Exception {
        String unmounted = """
                spec:
                  containers:
                    - name: model-server
                  volumes:
                    - {name: weights, persistentVolumeClaim: {claimName: weights}}
                """;
        assertThat(validator.validate(SpecValidatorTest.release("assistant", release("pvc://weights/v1", unmounted))))
                .as("the kubelet skips a volume no container mounts")
                .isEmpty();
        String operatorsOwn = """
                spec:
                  containers:
                    - name: model-server
                      volumeMounts: [{name: fledge-model, mountPath: /var/run/fledge/model, readOnly: true}]
                  volumes:
                    - {name: fledge-model, persistentVolumeClaim: {claimName: weights, readOnly: true}}
                """;
        assertThat(validator.validate(
                        SpecValidatorTest.release("assistant", release("pvc://weights/v1", operatorsOwn))))
                .as("a copy of the generated template: the operator drops the volume fledge-model for its own")
                .noneMatch(e -> e.contains("claimName"));
    }

    @Test
    void anotherClaimOrAnotherSchemeIsAccepted() throws Exception {
        assertThat(validator.validate(
                        SpecValidatorTest.release("assistant", release("pvc://other/v1", MOUNTS_WEIGHTS))))
                .isEmpty();
        assertThat(validator.validate(SpecValidatorTest.release(
                        "assistant", release("https://models.example/w.zip", MOUNTS_WEIGHTS))))
                .isEmpty();
        // a claim named like the start of another is another claim
        assertThat(validator.validate(
                        SpecValidatorTest.release("assistant", release("pvc://weight/v1", MOUNTS_WEIGHTS))))
                .isEmpty();
    }
}
