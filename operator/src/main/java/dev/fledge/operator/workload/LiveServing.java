package dev.fledge.operator.workload;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.ModelFormat;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.ServingStatus;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The serving identity of a track read from its live Deployment, for a status an older operator wrote without it (no
 * {@code status.stable}, no {@code status.canaryConfigHash}: an operator upgrade). A missing identity never matches
 * the spec by default: the Deployment's pod template (image, port, model name, URI, format and checksum, the user's
 * env, resources, volume mounts, scheduling fields, volumes, labels and annotations) is compared with what the spec's
 * configuration builds. The same: the track runs the spec's configuration. Different: it runs the configuration read
 * from the template, under its own hash, so the spec is a change and goes through the stages, while the stable
 * Deployment keeps what it runs. Unreadable canary (none, another version): its hash is {@link #UNKNOWN}, a change too;
 * so is an unreadable stable whose version the spec names ({@link #unreadStable}). The release's response-id key
 * ({@link FeedbackKey}: its env variable, volume and mount) is the operator's, not the user's: an older operator's
 * template without it runs the same configuration as one with it. So are the S3 store's variables, volume and mount
 * ({@link ModelStoreS3}), which read back as the configuration's {@code s3}.
 */
final class LiveServing {
    /** The hash of a track whose configuration cannot be read: equal to no configuration's hash. */
    static final String UNKNOWN = "unknown";

    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final Set<String> OPERATOR_ENV = Set.of("QUARKUS_HTTP_PORT");

    private final DesiredDeployment deployments;
    private final ServingConfig serving;

    LiveServing(DesiredDeployment deployments, ServingConfig serving) {
        this.deployments = deployments;
        this.serving = serving;
    }

    /** {@code st} itself when it records both identities; otherwise a copy with them read from the Deployments. */
    ModelReleaseStatus complete(ModelRelease mr, ModelReleaseStatus st, Deployment stable, Deployment canary) {
        boolean noStable = st.getStableVersion() != null && st.getStable() == null;
        boolean noCanaryHash = st.getCanaryVersion() != null && st.getCanaryConfigHash() == null;
        if (!noStable && !noCanaryHash) {
            return st;
        }
        ModelReleaseStatus completed = JSON.convertValue(st, ModelReleaseStatus.class);
        ServingStatus spec = serving.of(mr);
        if (noStable) {
            completed.setStable(running(mr, Labels.TRACK_STABLE, stable, st.getStableVersion(), spec)
                    .orElseGet(() -> unreadStable(st.getStableVersion(), spec)));
        }
        if (noCanaryHash) {
            completed.setCanaryConfigHash(running(mr, Labels.TRACK_CANARY, canary, st.getCanaryVersion(), spec)
                    .map(ServingStatus::getConfigHash)
                    .orElse(UNKNOWN));
        }
        return completed;
    }

    /**
     * The stable configuration when the stable Deployment is missing or runs another version: nothing says what stable
     * ran, so it is never taken for the spec's. When the spec names the stable version, the spec's configuration (the
     * only one there is to rebuild stable from, as before) under the hash {@link #UNKNOWN}: the spec differs from it
     * and goes through the stages, and only its promotion records it. Otherwise none (the version alone differs; the
     * stable Deployment keeps the URI it runs, as before).
     */
    private static ServingStatus unreadStable(String version, ServingStatus spec) {
        if (!version.equals(spec.getVersion())) {
            return null;
        }
        ServingStatus unknown = JSON.convertValue(spec, ServingStatus.class);
        unknown.setConfigHash(UNKNOWN);
        return unknown;
    }

    /**
     * What {@code d} runs if it runs {@code version}: the spec's configuration (its hash) when the spec builds the
     * same pod template, else the configuration read from the template (the hash of that).
     */
    Optional<ServingStatus> running(ModelRelease mr, String track, Deployment d, String version, ServingStatus spec) {
        Optional<ServingStatus> live = read(d).filter(s -> version.equals(s.getVersion()));
        if (live.isEmpty()) {
            return Optional.empty();
        }
        ServingStatus asSpec =
                ServingConfig.withVersion(spec, version, live.get().getUri());
        Optional<ServingStatus> built = read(deployments.build(mr, track, asSpec, 1));
        String liveHash = ServingConfig.hash(live.get());
        if (built.isPresent() && ServingConfig.hash(built.get()).equals(liveHash)) {
            return Optional.of(asSpec);
        }
        live.get().setConfigHash(liveHash);
        return live;
    }

    /** The serving configuration a Deployment's pod template runs; empty without a model container. */
    static Optional<ServingStatus> read(Deployment d) {
        if (d == null
                || d.getSpec() == null
                || d.getSpec().getTemplate() == null
                || d.getSpec().getTemplate().getSpec() == null) {
            return Optional.empty();
        }
        PodTemplateSpec pod = d.getSpec().getTemplate();
        Optional<Container> found = pod.getSpec().getContainers().stream()
                .filter(c -> ServerDefaults.CONTAINER.equals(c.getName()))
                .findFirst();
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Container c = found.get();
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar e : c.getEnv()) {
            env.put(e.getName(), e.getValue());
        }
        Map<String, String> labels = new LinkedHashMap<>(
                pod.getMetadata() == null || pod.getMetadata().getLabels() == null
                        ? Map.of()
                        : pod.getMetadata().getLabels());
        ServingStatus s = new ServingStatus();
        s.setVersion(labels.remove(Labels.VERSION));
        labels.remove(Labels.RELEASE);
        labels.remove(Labels.TRACK);
        s.setName(env.get("FLEDGE_MODEL_NAME"));
        s.setUri(env.get("FLEDGE_MODEL_URI"));
        s.setFormat(format(env.get("FLEDGE_MODEL_FORMAT")));
        s.setSha256(env.get("FLEDGE_MODEL_SHA256"));
        s.setS3(ModelStoreS3.read(env, pod.getSpec().getVolumes()));
        s.setImage(c.getImage());
        s.setPort(c.getPorts().stream()
                .filter(p -> "http".equals(p.getName()))
                .map(ContainerPort::getContainerPort)
                .findFirst()
                .orElse(null));
        List<EnvVar> userEnv = c.getEnv().stream()
                .filter(e -> ModelServerLimits.refusal(e.getName()).isEmpty())
                .filter(e -> !OPERATOR_ENV.contains(e.getName()))
                .toList();
        List<VolumeMount> userMounts = c.getVolumeMounts() == null
                ? List.of()
                : c.getVolumeMounts().stream()
                        .filter(m -> !DesiredDeployment.FEEDBACK_KEY_VOLUME.equals(m.getName())
                                && !DesiredDeployment.SCRATCH_VOLUME.equals(m.getName())
                                && !ModelStoreS3.VOLUME.equals(m.getName()))
                        .toList();
        PodSpec spec = pod.getSpec();
        List<Volume> userVolumes = spec.getVolumes() == null
                ? List.of()
                : spec.getVolumes().stream()
                        .filter(v -> !DesiredDeployment.FEEDBACK_KEY_VOLUME.equals(v.getName())
                                && !DesiredDeployment.SCRATCH_VOLUME.equals(v.getName())
                                && !ModelStoreS3.VOLUME.equals(v.getName()))
                        .toList();
        ResourceRequirements resources = c.getResources();
        boolean noResources = resources == null
                || (empty(resources.getLimits()) && empty(resources.getRequests()) && empty(resources.getClaims()));
        s.setTemplate(new PodTemplateSpecBuilder()
                .withNewMetadata()
                .withLabels(empty(labels) ? null : labels)
                .withAnnotations(
                        pod.getMetadata() == null || empty(pod.getMetadata().getAnnotations())
                                ? null
                                : pod.getMetadata().getAnnotations())
                .endMetadata()
                .withNewSpec()
                .withContainers(new ContainerBuilder()
                        .withName(ServerDefaults.CONTAINER)
                        .withResources(noResources ? null : resources)
                        .withEnv(userEnv.isEmpty() ? null : userEnv)
                        .withVolumeMounts(userMounts.isEmpty() ? null : userMounts)
                        .build())
                .withNodeSelector(empty(spec.getNodeSelector()) ? null : spec.getNodeSelector())
                .withTolerations(empty(spec.getTolerations()) ? null : spec.getTolerations())
                .withAffinity(spec.getAffinity())
                .withVolumes(userVolumes.isEmpty() ? null : userVolumes)
                .endSpec()
                .build());
        return Optional.of(s);
    }

    private static ModelFormat format(String wire) {
        if (wire == null) {
            return null;
        }
        try {
            return JSON.convertValue(wire, ModelFormat.class);
        } catch (IllegalArgumentException e) {
            return null; // a format this operator does not know: differs from any the spec can name
        }
    }

    private static boolean empty(Map<?, ?> m) {
        return m == null || m.isEmpty();
    }

    private static boolean empty(Collection<?> c) {
        return c == null || c.isEmpty();
    }
}
