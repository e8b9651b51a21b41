package dev.fledge.operator.validation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.operator.workload.ModelClaim;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.function.Consumer;

/**
 * A {@code pvc://claim/path} model's claim may not be a volume of {@code spec.server.template} too: the operator
 * mounts it already (read-only, at {@link ModelClaim#MOUNT_PATH}), and a pod with two volumes of one claim is never
 * started by the kubelet: it stays in {@code ContainerCreating}, "timed out waiting for the condition"
 * (kubernetes/kubernetes#51853 and #132921; seen on this project's cluster tier). Refused with the path to use
 * instead. Pure.
 */
final class ModelClaimVolumes {
    private ModelClaimVolumes() {}

    static void check(ModelReleaseSpec spec, Consumer<String> errors) {
        if (spec.getModel() == null
                || spec.getServer() == null
                || spec.getServer().getTemplate() == null) {
            return;
        }
        ModelClaim.of(spec.getModel().getUri()).ifPresent(claim -> {
            JsonNode volumes = Serialization.jsonMapper()
                    .valueToTree(spec.getServer().getTemplate())
                    .path("spec")
                    .path("volumes");
            for (int i = 0; i < volumes.size(); i++) {
                String named = volumes.get(i)
                        .path("persistentVolumeClaim")
                        .path("claimName")
                        .asText("");
                if (claim.claimName().equals(named)) {
                    errors.accept("spec.server.template.spec.volumes[" + i + "].persistentVolumeClaim.claimName: "
                            + named + " is the claim of spec.model.uri, which the operator mounts read-only at "
                            + ModelClaim.MOUNT_PATH + " in the container that loads the model; a pod with two"
                            + " volumes of one claim never starts (the kubelet waits for the second forever), so"
                            + " read the claim there instead of mounting it again");
                }
            }
        });
    }
}
