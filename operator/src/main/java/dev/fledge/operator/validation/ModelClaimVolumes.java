package dev.fledge.operator.validation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.operator.workload.ModelClaim;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A pod that mounts one PersistentVolumeClaim through two of its volumes is never started by the kubelet: it stays in
 * {@code ContainerCreating}, "timed out waiting for the condition" (kubernetes/kubernetes#51853 and #132921; seen on
 * this project's cluster tier). So {@code spec.server.template} may not mount the claim of a {@code pvc://} model,
 * which the operator mounts already (read-only, at {@link ModelClaim#MOUNT_PATH}; the error names that path), nor
 * mount one claim through two volumes. A volume no container mounts is left alone (the kubelet skips it), and so is
 * one named {@link ModelClaim#VOLUME}, which the operator drops for its own. Pure.
 */
final class ModelClaimVolumes {
    private static final String BASE = "spec.server.template.spec.volumes";

    private ModelClaimVolumes() {}

    static void check(ModelReleaseSpec spec, Consumer<String> errors) {
        if (spec.getServer() == null || spec.getServer().getTemplate() == null) {
            return;
        }
        JsonNode podSpec = Serialization.jsonMapper()
                .valueToTree(spec.getServer().getTemplate())
                .path("spec");
        Set<String> mounted = new HashSet<>();
        podSpec.path("containers")
                .forEach(c -> c.path("volumeMounts")
                        .forEach(m -> mounted.add(m.path("name").asText())));
        Optional<ModelClaim> model = spec.getModel() == null
                ? Optional.empty()
                : ModelClaim.of(spec.getModel().getUri());
        Map<String, Integer> firstOfClaim = new HashMap<>();
        JsonNode volumes = podSpec.path("volumes");
        for (int i = 0; i < volumes.size(); i++) {
            String name = volumes.get(i).path("name").asText();
            String claim = volumes.get(i)
                    .path("persistentVolumeClaim")
                    .path("claimName")
                    .asText("");
            if (claim.isEmpty() || ModelClaim.VOLUME.equals(name) || !mounted.contains(name)) {
                continue;
            }
            String at = BASE + "[" + i + "].persistentVolumeClaim.claimName: " + claim;
            if (model.isPresent() && model.get().claimName().equals(claim)) {
                errors.accept(at + " is the claim of spec.model.uri, which the operator mounts read-only at "
                        + ModelClaim.MOUNT_PATH + " in the container that loads the model; a pod that mounts one"
                        + " claim through two volumes never starts (the kubelet waits for the second for ever), so"
                        + " read it there instead of mounting it again");
            }
            Integer first = firstOfClaim.putIfAbsent(claim, i);
            if (first != null) {
                errors.accept(at + " is mounted through " + BASE + "[" + first + "] already; a pod that mounts one"
                        + " claim through two volumes never starts (the kubelet waits for the second for ever): mount"
                        + " the one volume at both paths, with subPath where needed");
            }
        }
    }
}
