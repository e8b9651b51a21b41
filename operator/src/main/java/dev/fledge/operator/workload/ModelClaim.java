package dev.fledge.operator.workload;

import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The PersistentVolumeClaim of a {@code pvc://claim/path} model URI: mounted read-only, whole, at {@link #MOUNT_PATH}
 * in the container that loads the model (the Fledge model server, or the user's server with
 * {@code spec.server.upstream}), which reads {@code path} there. The claim is the release's namespace's, as every
 * volume of its pod template is. The path is under {@link MountPaths#OPERATOR}, where a template may mount nothing.
 * Pure.
 */
public record ModelClaim(String claimName) {
    /** The volume's name; a template volume or mount of this name is dropped. */
    public static final String VOLUME = "fledge-model";
    /** Where the claim is mounted: the model server's {@code ModelLocator.CLAIM_MOUNT}. */
    public static final String MOUNT_PATH = "/var/run/fledge/model";

    /**
     * A claim's name, a DNS-1123 subdomain, as the CRD's pattern for {@code spec.model.uri} and the model server's
     * {@code ModelLocator.CLAIM_NAME} read it (e2e {@code ModelClaimMountAgreesTest}).
     */
    public static final String CLAIM_NAME = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";

    private static final Pattern PVC = Pattern.compile("^pvc://(?<claim>" + CLAIM_NAME + ")(/.*)?$");

    /** The claim of {@code uri} when it is a {@code pvc://} URI with a valid claim name. */
    public static Optional<ModelClaim> of(String uri) {
        if (uri == null) {
            return Optional.empty();
        }
        var m = PVC.matcher(uri.trim());
        if (!uri.trim().toLowerCase(Locale.ROOT).startsWith("pvc://") || !m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new ModelClaim(m.group("claim")));
    }

    /** The claim's volume, read-only, for {@code uri}; none for any other scheme. */
    static List<Volume> volumes(String uri) {
        return of(uri).map(c -> List.of(new VolumeBuilder()
                        .withName(VOLUME)
                        .withNewPersistentVolumeClaim()
                        .withClaimName(c.claimName())
                        .withReadOnly(true)
                        .endPersistentVolumeClaim()
                        .build()))
                .orElse(List.of());
    }

    /** Its read-only mount, for the container that loads the model. */
    static List<VolumeMount> mounts(String uri) {
        return of(uri).map(c -> List.of(new VolumeMountBuilder()
                        .withName(VOLUME)
                        .withMountPath(MOUNT_PATH)
                        .withReadOnly(true)
                        .build()))
                .orElse(List.of());
    }
}
