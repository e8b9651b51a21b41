package dev.fledge.operator.workload;

import dev.fledge.api.spec.S3StoreSpec;
import dev.fledge.api.status.ServingStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The S3 store of an {@code s3://} model ({@code spec.model.s3}) as the Fledge model server reads it: the endpoint and
 * region as {@code FLEDGE_MODEL_S3_ENDPOINT} and {@code FLEDGE_MODEL_S3_REGION}, and the credentials Secret's keys
 * {@value #ACCESS_KEY_ID} and {@value #SECRET_ACCESS_KEY} mounted read-only at {@link #MOUNT_PATH} in the model-server
 * container only, with {@code FLEDGE_MODEL_S3_ACCESS_KEY_ID_FILE} and {@code FLEDGE_MODEL_S3_SECRET_ACCESS_KEY_FILE}
 * naming the two files. Nothing with {@code spec.server.upstream}: the other server loads the model there, not the
 * Fledge sidecar (the validator refuses the pair). The path is under {@link MountPaths#OPERATOR}, where a template may
 * mount nothing. Pure.
 */
public final class ModelStoreS3 {
    /** The volume's name; a template volume or mount of this name is dropped. */
    public static final String VOLUME = "fledge-model-s3";
    /** Where the Secret's two keys are mounted. */
    public static final String MOUNT_PATH = "/var/run/fledge/model-s3";
    /** The Secret's key holding the access key id (KServe's convention). */
    public static final String ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID";
    /** The Secret's key holding the secret access key. */
    public static final String SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY";

    static final String ACCESS_KEY_ID_FILE = "access-key-id";
    static final String SECRET_ACCESS_KEY_FILE = "secret-access-key";
    static final String ENDPOINT_ENV = "FLEDGE_MODEL_S3_ENDPOINT";
    static final String REGION_ENV = "FLEDGE_MODEL_S3_REGION";
    static final String ACCESS_KEY_ID_FILE_ENV = "FLEDGE_MODEL_S3_ACCESS_KEY_ID_FILE";
    static final String SECRET_ACCESS_KEY_FILE_ENV = "FLEDGE_MODEL_S3_SECRET_ACCESS_KEY_FILE";

    private ModelStoreS3() {}

    /** The store {@code serving} names for the Fledge model server to load from; null with an upstream or none. */
    private static S3StoreSpec store(ServingStatus serving) {
        return serving.getUpstream() == null ? serving.getS3() : null;
    }

    /** The settings of {@code serving}'s store, for the Fledge model server's env; none without a store. */
    static List<EnvVar> env(ServingStatus serving) {
        S3StoreSpec s3 = store(serving);
        List<EnvVar> env = new ArrayList<>();
        if (s3 == null) {
            return env;
        }
        if (s3.getEndpoint() != null) {
            env.add(env(ENDPOINT_ENV, s3.getEndpoint()));
        }
        if (s3.getRegion() != null) {
            env.add(env(REGION_ENV, s3.getRegion()));
        }
        if (s3.getSecretName() != null) {
            env.add(env(ACCESS_KEY_ID_FILE_ENV, MOUNT_PATH + "/" + ACCESS_KEY_ID_FILE));
            env.add(env(SECRET_ACCESS_KEY_FILE_ENV, MOUNT_PATH + "/" + SECRET_ACCESS_KEY_FILE));
        }
        return env;
    }

    /**
     * The credentials Secret's volume: its two keys only, as files {@value #ACCESS_KEY_ID_FILE} and {@value
     * #SECRET_ACCESS_KEY_FILE}, not optional (a pod waits for the Secret rather than reading S3 without it). Mode 0444,
     * as the response-id key's: the pod may run as the image's user (no runAsUser, no fsGroup), and only the Fledge
     * model server mounts it. None without a Secret.
     */
    static List<Volume> volumes(ServingStatus serving) {
        S3StoreSpec s3 = store(serving);
        if (s3 == null || s3.getSecretName() == null) {
            return List.of();
        }
        return List.of(new VolumeBuilder()
                .withName(VOLUME)
                .withNewSecret()
                .withSecretName(s3.getSecretName())
                .withItems(items())
                .withDefaultMode(0444)
                .withOptional(false)
                .endSecret()
                .build());
    }

    /** Its read-only mount, for the Fledge model server's container. */
    static List<VolumeMount> mounts(ServingStatus serving) {
        return volumes(serving).isEmpty()
                ? List.of()
                : List.of(new VolumeMountBuilder()
                        .withName(VOLUME)
                        .withMountPath(MOUNT_PATH)
                        .withReadOnly(true)
                        .build());
    }

    private static List<KeyToPath> items() {
        return List.of(
                new KeyToPath(ACCESS_KEY_ID, null, ACCESS_KEY_ID_FILE),
                new KeyToPath(SECRET_ACCESS_KEY, null, SECRET_ACCESS_KEY_FILE));
    }

    /**
     * Whether {@code v} is the credentials volume as this operator writes it for {@code recorded}: the recorded
     * Secret, its two keys, mode 0444, not optional.
     */
    static boolean isOperatorVolume(Volume v, ServingStatus recorded) {
        List<Volume> built = volumes(recorded);
        if (built.isEmpty() || v == null || v.getSecret() == null || !VOLUME.equals(v.getName())) {
            return false;
        }
        var want = built.get(0).getSecret();
        var got = v.getSecret();
        return want.getSecretName().equals(got.getSecretName())
                && Integer.valueOf(0444).equals(got.getDefaultMode())
                && Boolean.FALSE.equals(got.getOptional())
                && got.getItems() != null
                && got.getItems().size() == 2
                && got.getItems().stream().allMatch(i -> i.getMode() == null)
                && got.getItems().get(0).getKey().equals(ACCESS_KEY_ID)
                && got.getItems().get(0).getPath().equals(ACCESS_KEY_ID_FILE)
                && got.getItems().get(1).getKey().equals(SECRET_ACCESS_KEY)
                && got.getItems().get(1).getPath().equals(SECRET_ACCESS_KEY_FILE);
    }

    /** The credentials volume's mount as this operator writes it: whole, read-only, at {@link #MOUNT_PATH}. */
    static boolean isOperatorMount(VolumeMount m) {
        return MountPaths.wholeReadOnly(m, VOLUME, MOUNT_PATH);
    }

    /**
     * The store a pod template's env and volumes name (what {@link #env} and {@link #volumes} write), for {@link
     * LiveServing}; null when they name none. The volume's Secret counts only with the variable that points the server
     * at it: an older operator kept a template volume of this name.
     */
    static S3StoreSpec read(Map<String, String> env, List<Volume> volumes) {
        S3StoreSpec s3 = new S3StoreSpec()
                .withEndpoint(env.get(ENDPOINT_ENV))
                .withRegion(env.get(REGION_ENV))
                .withSecretName(Objects.requireNonNullElse(volumes, List.<Volume>of()).stream()
                        .filter(v -> env.containsKey(ACCESS_KEY_ID_FILE_ENV)
                                && VOLUME.equals(v.getName())
                                && v.getSecret() != null)
                        .map(v -> v.getSecret().getSecretName())
                        .findFirst()
                        .orElse(null));
        return isEmpty(s3) ? null : s3;
    }

    /** {@code s3} unless it sets nothing ({@code s3: {}} is the defaults, as no store is). */
    public static Optional<S3StoreSpec> nonEmpty(S3StoreSpec s3) {
        return s3 == null || isEmpty(s3) ? Optional.empty() : Optional.of(s3);
    }

    private static boolean isEmpty(S3StoreSpec s3) {
        return s3.getEndpoint() == null && s3.getRegion() == null && s3.getSecretName() == null;
    }

    private static EnvVar env(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }
}
