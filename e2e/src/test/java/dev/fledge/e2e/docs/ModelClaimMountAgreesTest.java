package dev.fledge.e2e.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.spec.ModelSpec;
import dev.fledge.e2e.apiserver.RepoFiles;
import dev.fledge.operator.workload.ModelClaim;
import java.nio.file.Files;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The model server reads a {@code pvc://} model where the operator mounts its claim (issue 17 part 6): the operator's
 * {@code ModelClaim.MOUNT_PATH} and the model server's {@code ModelLocator.CLAIM_MOUNT} are the same path. The two
 * live in modules that do not depend on each other: the operator's is read from its class, the model server's from its
 * source.
 */
class ModelClaimMountAgreesTest {
    static final String LOCATOR = "model-server/src/main/java/dev/fledge/server/model/ModelLocator.java";

    @Test
    void theModelServerReadsAPvcModelWhereTheOperatorMountsItsClaim() throws Exception {
        var declared = Pattern.compile("CLAIM_MOUNT\\s*=\\s*\"([^\"]+)\"")
                .matcher(Files.readString(RepoFiles.repo().resolve(LOCATOR)));
        assertThat(declared.find())
                .as("%s declares CLAIM_MOUNT = \"...\"", LOCATOR)
                .isTrue();
        assertThat(declared.group(1))
                .as("ModelLocator.CLAIM_MOUNT against ModelClaim.MOUNT_PATH")
                .isEqualTo(ModelClaim.MOUNT_PATH);
    }

    /**
     * A claim name the CRD takes is one the operator mounts and the model server reads, and no other: the three read
     * it with the same expression.
     */
    @Test
    void theCrdTheOperatorAndTheModelServerAgreeOnClaimNames() throws Exception {
        var declared = Pattern.compile("CLAIM_NAME\\s*=\\s*\"((?:[^\"\\\\]|\\\\.)+)\"")
                .matcher(Files.readString(RepoFiles.repo().resolve(LOCATOR)));
        assertThat(declared.find())
                .as("%s declares CLAIM_NAME = \"...\"", LOCATOR)
                .isTrue();
        assertThat(declared.group(1).replace("\\\\", "\\"))
                .as("ModelLocator.CLAIM_NAME against ModelClaim.CLAIM_NAME")
                .isEqualTo(ModelClaim.CLAIM_NAME);
        String crd = ModelSpec.class
                .getDeclaredField("uri")
                .getAnnotation(io.fabric8.generator.annotation.Pattern.class)
                .value();
        assertThat(crd)
                .as("the CRD's pattern of spec.model.uri")
                .contains("pvc://" + ModelClaim.CLAIM_NAME + "(/.*)?)$");
    }
}
