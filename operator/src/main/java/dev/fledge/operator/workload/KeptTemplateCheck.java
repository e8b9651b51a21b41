package dev.fledge.operator.workload;

import dev.fledge.api.spec.HostPathMounts;
import dev.fledge.api.status.ServingStatus;
import dev.fledge.operator.validation.KeptTemplateFields;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Whether a pod template kept in the stable Deployment's annotation ({@link KeptTemplate}) may be put back: it must be
 * one an operator built for the recorded configuration, and no more (review of issue 15, LOW 4). Whoever may write the
 * Deployment's annotations could otherwise have the operator restore any pod, and restore it again after every fix.
 * A kept template comes from an older operator, so it is not compared with what this one builds (that is why it is
 * kept), except for the other server's container of {@code spec.server.upstream}. It is held to what every template
 * revision has built:
 * <ul>
 *   <li>containers: {@code model-server} running the recorded image and model URI; with {@code spec.server.upstream},
 *       the sidecar {@code fledge-proxy} at the recorded proxy image, held as {@code model-server} is otherwise and to
 *       {@link KeptUpstreamCheck#sidecarRefusal}, beside the other server's {@code model-server}, which with the pod's
 *       volumes must be what this operator builds ({@link KeptUpstreamCheck});
 *   <li>the pod: no service account token, service links off, no host namespaces, non-root, not in the root group,
 *       the API server's restart and DNS policies and scheduler;
 *   <li>every container: no privilege, privilege escalation or added capabilities, seccomp {@code RuntimeDefault},
 *       every capability dropped, the default termination message path, pull policy {@code Always} or
 *       {@code IfNotPresent};
 *   <li>volumes: no host path this operator does not allow, the key volume the release's key Secret and no other
 *       volume or env variable reading a response-id key Secret; mounts off the image's code ({@link MountPaths}),
 *       but for the operator's key mount and, for a {@code pvc://} model, its claim's read-only mount, and, for a
 *       recorded S3 store's Secret, its credentials mount ({@link ModelStoreS3}), each whole, the last two only as
 *       this operator writes them (the S3 one also present then);
 *   <li>no field outside the spec's allow-list and what an operator or the API server adds ({@link
 *       KeptTemplateFields}: no other volume type, host port, exec probe, sysctl...);
 *   <li>env: the operator's variables only at the values this operator sets for the recorded configuration ({@link
 *       DesiredDeployment#operatorEnv}; an older revision may lack some, never the model URI or its checksum; the
 *       model server's limits at most the operator's), no other name a release may not set, no name twice (the pod
 *       takes the last, the checks here the first);
 *   <li>pod labels and annotations that the recorded template holds or the operator (or {@code kubectl rollout
 *       restart}) sets.
 * </ul>
 * Review of issue 15, MED 1: the operator's {@code FLEDGE_*} names passed at any value, and only host paths of all
 * the volume fields were checked. Pure.
 */
final class KeptTemplateCheck {
    private static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";
    private static final String RUNTIME_DEFAULT = "RuntimeDefault";
    private static final Set<String> PULL_POLICIES = Set.of("Always", "IfNotPresent");
    /**
     * What every template since revisions were recorded sets: one without them would run the model server's own
     * defaults (higher download limits than the operator's, another port).
     */
    private static final List<String> REQUIRED_ENV = Stream.concat(
                    Stream.of("FLEDGE_RELEASE", "FLEDGE_MODEL_URI", "FLEDGE_MODEL_SHA256", "QUARKUS_HTTP_PORT"),
                    ModelServerLimits.names().stream())
            .toList();

    private KeptTemplateCheck() {}

    /**
     * Why {@code kept} may not be restored for {@code recorded}; empty when it may.
     *
     * @param operatorEnv what this operator sets on the model container for {@code recorded}
     *                    ({@link DesiredDeployment#operatorEnv})
     * @param upstreamPod with {@code spec.server.upstream}: the stable pod template this operator builds for
     *                    {@code recorded} ({@link DesiredDeployment#upstreamPod}); a kept template of two containers
     *                    is refused without it
     */
    static Optional<String> refusal(
            PodTemplateSpec kept,
            ServingStatus recorded,
            Map<String, String> operatorEnv,
            PodHardening hardening,
            Optional<PodTemplateSpec> upstreamPod) {
        PodSpec pod = kept == null ? null : kept.getSpec();
        boolean upstream = recorded.getUpstream() != null;
        if (pod == null || pod.getContainers() == null || pod.getContainers().size() != (upstream ? 2 : 1)) {
            return Optional.of(
                    upstream
                            ? "it does not hold exactly two containers (" + ServerDefaults.CONTAINER + " and "
                                    + ServerDefaults.PROXY_CONTAINER + ")"
                            : "it does not hold exactly one container");
        }
        // the container that serves the pod contract: the model server, or the sidecar in front of another server
        String serverName = upstream ? ServerDefaults.PROXY_CONTAINER : ServerDefaults.CONTAINER;
        Container c = named(pod, serverName);
        if (c == null) {
            return Optional.of("its container is not " + serverName);
        }
        String image = upstream ? recorded.getUpstream().getProxyImage() : recorded.getImage();
        if (image == null || !image.equals(c.getImage())) {
            return Optional.of("its image " + c.getImage() + " is not the recorded " + image);
        }
        if (upstream && (named(pod, ServerDefaults.CONTAINER) == null || upstreamPod.isEmpty())) {
            return Optional.of("its containers are not " + ServerDefaults.CONTAINER + " and "
                    + ServerDefaults.PROXY_CONTAINER + " as this operator builds them");
        }
        if (notEmpty(pod.getInitContainers()) || notEmpty(pod.getEphemeralContainers())) {
            return Optional.of("it holds init or ephemeral containers");
        }
        if (notEmpty(c.getCommand()) || notEmpty(c.getArgs())) {
            return Optional.of("it overrides the container's command");
        }
        if (!(pod.getServiceAccountName() == null || "default".equals(pod.getServiceAccountName()))
                || !(pod.getServiceAccount() == null || "default".equals(pod.getServiceAccount()))
                || !Boolean.FALSE.equals(pod.getAutomountServiceAccountToken())) {
            return Optional.of("it names a service account or mounts its token");
        }
        if (!Boolean.FALSE.equals(pod.getEnableServiceLinks())) {
            // every operator sets it false; left out, the API server makes it true, and every Service of the namespace
            // puts variables into the model's containers
            return Optional.of("it does not turn service links off");
        }
        if (Boolean.TRUE.equals(pod.getHostNetwork())
                || Boolean.TRUE.equals(pod.getHostPID())
                || Boolean.TRUE.equals(pod.getHostIPC())) {
            return Optional.of("it shares a host namespace");
        }
        if (pod.getSecurityContext() == null
                || !Boolean.TRUE.equals(pod.getSecurityContext().getRunAsNonRoot())
                || Long.valueOf(0).equals(pod.getSecurityContext().getRunAsUser())) {
            return Optional.of("its pod may run as root");
        }
        if (Long.valueOf(0).equals(pod.getSecurityContext().getRunAsGroup())
                || Long.valueOf(0).equals(pod.getSecurityContext().getFsGroup())) {
            return Optional.of("its pod runs in the root group");
        }
        for (Container each : pod.getContainers()) {
            Optional<String> why = privileges(pod, each).or(() -> apiDefaults(each));
            if (why.isPresent()) {
                return why;
            }
        }
        if (!(pod.getRestartPolicy() == null || "Always".equals(pod.getRestartPolicy()))
                || !(pod.getDnsPolicy() == null || "ClusterFirst".equals(pod.getDnsPolicy()))
                || !(pod.getSchedulerName() == null || "default-scheduler".equals(pod.getSchedulerName()))) {
            return Optional.of("its restart policy, DNS policy or scheduler is not the API server's default");
        }
        List<String> outside = KeptTemplateFields.outside(kept);
        if (!outside.isEmpty()) {
            return Optional.of("no operator builds " + outside.get(0));
        }
        List<Volume> volumes = Objects.requireNonNullElse(pod.getVolumes(), List.of());
        for (Volume v : volumes) {
            if (v.getHostPath() != null
                    && !hardening.hostPathAllowed(v.getHostPath().getPath())) {
                return Optional.of("its volume " + v.getName() + " names the node directory "
                        + v.getHostPath().getPath());
            }
        }
        String keySecret = Names.feedbackKey(operatorEnv.get("FLEDGE_RELEASE"));
        for (Volume v : volumes) {
            if (DesiredDeployment.FEEDBACK_KEY_VOLUME.equals(v.getName())
                    && (v.getSecret() == null || !keySecret.equals(v.getSecret().getSecretName()))) {
                return Optional.of("its volume " + v.getName() + " is not the release's key Secret " + keySecret);
            }
            // a response-id key only as the operator mounts it, as the spec check has it (PodTemplatePolicy)
            if (!DesiredDeployment.FEEDBACK_KEY_VOLUME.equals(v.getName())
                    && v.getSecret() != null
                    && Names.isFeedbackKey(v.getSecret().getSecretName())) {
                return Optional.of("its volume " + v.getName() + " mounts the response-id key Secret "
                        + v.getSecret().getSecretName());
            }
        }
        for (EnvVar e : Objects.requireNonNullElse(c.getEnv(), List.<EnvVar>of())) {
            if (e.getValueFrom() != null
                    && e.getValueFrom().getSecretKeyRef() != null
                    && Names.isFeedbackKey(e.getValueFrom().getSecretKeyRef().getName())) {
                return Optional.of("its env " + e.getName() + " reads the response-id key Secret "
                        + e.getValueFrom().getSecretKeyRef().getName());
            }
        }
        Set<String> emptyDirs = volumes.stream()
                .filter(v -> v.getEmptyDir() != null)
                .map(Volume::getName)
                .collect(Collectors.toSet());
        Set<String> hostPaths = HostPathLock.hostPathVolumes(volumes);
        boolean claimVolume = modelClaimVolume(volumes, recorded);
        Optional<String> s3 = modelS3Refusal(volumes, c, recorded);
        if (s3.isPresent()) {
            return s3;
        }
        List<VolumeMount> mounts = Objects.requireNonNullElse(c.getVolumeMounts(), List.of());
        List<MountPaths.Mount> paths = MountPaths.of(mounts, emptyDirs);
        for (int i = 0; i < mounts.size(); i++) {
            VolumeMount m = mounts.get(i);
            boolean key = DesiredDeployment.FEEDBACK_KEY_VOLUME.equals(m.getName())
                    && DesiredDeployment.FEEDBACK_KEY_DIR.equals(m.getMountPath())
                    && (m.getSubPath() == null || m.getSubPath().isEmpty());
            boolean claim = claimVolume && modelClaimMount(m);
            boolean store = !ModelStoreS3.volumes(recorded).isEmpty() && ModelStoreS3.isOperatorMount(m);
            Optional<String> why = key || claim || store
                    ? Optional.empty()
                    : MountPaths.refusal(m.getMountPath(), emptyDirs.contains(m.getName()));
            if (why.isEmpty()) {
                why = MountPaths.nestedRefusal(i, paths);
            }
            if (why.isEmpty() && HostPathLock.writable(m, hostPaths)) {
                why = Optional.of(HostPathMounts.MESSAGE);
            }
            if (why.isPresent()) {
                return Optional.of("its mount " + m.getMountPath() + ": " + why.get());
            }
        }
        Set<String> names = new HashSet<>();
        for (EnvVar e : Objects.requireNonNullElse(c.getEnv(), List.<EnvVar>of())) {
            if (!names.add(e.getName())) {
                // the checks below read the first entry of a name, the pod gets the last one
                return Optional.of("its env " + e.getName() + " is set twice");
            }
        }
        for (EnvVar e : Objects.requireNonNullElse(c.getEnv(), List.<EnvVar>of())) {
            if (operatorEnv.containsKey(e.getName())) {
                boolean lowerLimit = ModelServerLimits.isLimit(e.getName())
                        && ModelServerLimits.atMost(e.getValue(), operatorEnv.get(e.getName()));
                if (e.getValueFrom() != null
                        || !(lowerLimit || Objects.equals(operatorEnv.get(e.getName()), e.getValue()))) {
                    return Optional.of("its env " + e.getName() + " is not the value this operator sets ("
                            + (e.getName().equals("FLEDGE_MODEL_URI")
                                    ? "the recorded model URI"
                                    : operatorEnv.get(e.getName()))
                            + ")");
                }
            } else if (ModelServerLimits.refusal(e.getName()).isPresent()) {
                return Optional.of("its env " + e.getName() + " is not one a release or the operator sets");
            }
        }
        for (String required : REQUIRED_ENV) {
            if (operatorEnv.containsKey(required) && value(c, required) == null) {
                return Optional.of("its env " + required + " is missing (every operator sets it)");
            }
        }
        for (var e : ModelStoreS3.env(recorded)) {
            if (value(c, e.getName()) == null) {
                return Optional.of(
                        "its env " + e.getName() + " is missing (every operator that records spec.model.s3 sets it)");
            }
        }
        Optional<String> ports = ports(c, operatorEnv);
        if (ports.isPresent()) {
            return ports;
        }
        if (upstream) {
            Optional<String> sidecar = KeptUpstreamCheck.sidecarRefusal(c, operatorEnv);
            if (sidecar.isPresent()) {
                return Optional.of("its container " + ServerDefaults.PROXY_CONTAINER + ": " + sidecar.get());
            }
            Optional<String> server = KeptUpstreamCheck.refusal(kept, upstreamPod.get());
            if (server.isPresent()) {
                return server;
            }
        }
        ObjectMeta own =
                recorded.getTemplate() == null ? null : recorded.getTemplate().getMetadata();
        ObjectMeta meta = kept.getMetadata();
        Optional<String> label =
                foreignKey(meta == null ? null : meta.getLabels(), own == null ? null : own.getLabels());
        if (label.isPresent()) {
            return Optional.of("its pod label " + label.get() + " is not the recorded template's");
        }
        Optional<String> annotation =
                foreignKey(meta == null ? null : meta.getAnnotations(), own == null ? null : own.getAnnotations());
        return annotation.map(k -> "its pod annotation " + k + " is not the recorded template's");
    }

    /**
     * Whether {@code volumes} hold the model's claim as the operator mounts it for a {@code pvc://} model URI
     * ({@link ModelClaim}): the volume {@link ModelClaim#VOLUME}, the recorded URI's claim, read-only. Before, its
     * mount under the operator's directory was refused like any template's, so the stable Deployment of every
     * {@code pvc://} release was rebuilt (its pods restarted, ungated) after each operator upgrade.
     */
    private static boolean modelClaimVolume(List<Volume> volumes, ServingStatus recorded) {
        Optional<ModelClaim> claim = ModelClaim.of(recorded.getUri());
        List<Volume> named = volumes.stream()
                .filter(v -> ModelClaim.VOLUME.equals(v.getName()))
                .toList();
        return claim.isPresent()
                && named.size() == 1
                && named.get(0).getPersistentVolumeClaim() != null
                && claim.get()
                        .claimName()
                        .equals(named.get(0).getPersistentVolumeClaim().getClaimName())
                && Boolean.TRUE.equals(named.get(0).getPersistentVolumeClaim().getReadOnly());
    }

    /**
     * Why the S3 store's credentials volume of {@code volumes} is not as the operator writes it for {@code recorded}
     * ({@link ModelStoreS3}): with a recorded Secret, one volume {@link ModelStoreS3#VOLUME} of that Secret's two keys,
     * mounted whole and read-only at {@link ModelStoreS3#MOUNT_PATH} in {@code server} and nowhere else; without one, no mount there
     * (refused below as any mount under the operator's directory). Empty when it is.
     */
    private static Optional<String> modelS3Refusal(List<Volume> volumes, Container server, ServingStatus recorded) {
        if (ModelStoreS3.volumes(recorded).isEmpty()) {
            return Optional.empty();
        }
        List<Volume> named = volumes.stream()
                .filter(v -> ModelStoreS3.VOLUME.equals(v.getName()))
                .toList();
        if (named.size() != 1 || !ModelStoreS3.isOperatorVolume(named.get(0), recorded)) {
            return Optional.of("its volume " + ModelStoreS3.VOLUME + " is not the recorded spec.model.s3 Secret "
                    + recorded.getS3().getSecretName() + " as this operator mounts it at " + ModelStoreS3.MOUNT_PATH);
        }
        List<VolumeMount> mounts = Objects.requireNonNullElse(server.getVolumeMounts(), List.of());
        if (mounts.stream().noneMatch(ModelStoreS3::isOperatorMount)) {
            return Optional.of(
                    "it does not mount the recorded spec.model.s3 Secret read-only at " + ModelStoreS3.MOUNT_PATH);
        }
        if (mounts.stream()
                .anyMatch(m -> ModelStoreS3.VOLUME.equals(m.getName()) && !ModelStoreS3.isOperatorMount(m))) {
            // a second mount of the credentials elsewhere (say at a path the model's files are read from)
            return Optional.of("it mounts the recorded spec.model.s3 Secret elsewhere than " + ModelStoreS3.MOUNT_PATH);
        }
        return Optional.empty();
    }

    /** The model claim's mount as the operator writes it: whole, read-only, at {@link ModelClaim#MOUNT_PATH}. */
    private static boolean modelClaimMount(VolumeMount m) {
        return MountPaths.wholeReadOnly(m, ModelClaim.VOLUME, ModelClaim.MOUNT_PATH);
    }

    /**
     * The container's ports are {@code http} at the server's port and, optionally, {@code http-public} at the public
     * port (revision 3 on), and every probe asks one of them for a health path: a template that swapped the two names
     * would send the public Service to the port where the audience header is honoured (review MED 3).
     */
    private static Optional<String> ports(Container c, Map<String, String> operatorEnv) {
        Map<String, String> allowed = new HashMap<>();
        allowed.put(ServerDefaults.PORT, operatorEnv.get("QUARKUS_HTTP_PORT"));
        allowed.put(ServerDefaults.PUBLIC_PORT, operatorEnv.get("FLEDGE_PUBLIC_PORT"));
        boolean http = false;
        for (ContainerPort p : Objects.requireNonNullElse(c.getPorts(), List.<ContainerPort>of())) {
            String want = allowed.get(p.getName());
            if (want == null || p.getContainerPort() == null || !want.equals(String.valueOf(p.getContainerPort()))) {
                return Optional.of("its port " + p.getName() + " " + p.getContainerPort()
                        + " is not one an operator declares (" + allowed + ")");
            }
            http |= ServerDefaults.PORT.equals(p.getName());
        }
        if (!http) {
            return Optional.of("it declares no port " + ServerDefaults.PORT);
        }
        for (Probe probe : Arrays.asList(c.getReadinessProbe(), c.getLivenessProbe(), c.getStartupProbe())) {
            if (probe == null) {
                continue;
            }
            HTTPGetAction get = probe.getHttpGet();
            String port = get == null ? null : portNumber(get.getPort(), allowed);
            if (port == null
                    || !allowed.containsValue(port)
                    || get.getPath() == null
                    || !get.getPath().startsWith("/q/health/")) {
                return Optional.of("a probe does not ask the server's health on its own ports");
            }
        }
        return Optional.empty();
    }

    /** The number a probe's port stands for: a name of {@code allowed}, or the number itself; null if neither. */
    private static String portNumber(IntOrString port, Map<String, String> allowed) {
        if (port == null) {
            return null;
        }
        return port.getStrVal() != null ? allowed.get(port.getStrVal()) : String.valueOf(port.getIntVal());
    }

    /** A key of {@code kept} that neither the recorded template, the operator nor a rollout restart sets. */
    private static Optional<String> foreignKey(Map<String, String> kept, Map<String, String> recorded) {
        return Objects.requireNonNullElse(kept, Map.<String, String>of()).keySet().stream()
                .filter(k -> !k.startsWith("fledge.dev/") && !RESTARTED_AT.equals(k))
                .filter(k -> recorded == null || !recorded.containsKey(k))
                .findFirst();
    }

    /**
     * Why {@code c} may gain privileges (privileged, escalation, root, added capabilities, another seccomp profile,
     * capabilities kept); empty when it may not.
     */
    private static Optional<String> privileges(PodSpec pod, Container c) {
        SecurityContext sc = c.getSecurityContext();
        if (sc != null && Long.valueOf(0).equals(sc.getRunAsGroup())) {
            return Optional.of("its container " + c.getName() + " runs in the root group");
        }
        Capabilities caps = sc == null ? null : sc.getCapabilities();
        if (sc == null
                || Boolean.TRUE.equals(sc.getPrivileged())
                || !Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())
                || Long.valueOf(0).equals(sc.getRunAsUser())
                || Boolean.FALSE.equals(sc.getRunAsNonRoot())
                || (caps != null && notEmpty(caps.getAdd()))) {
            return Optional.of("its container " + c.getName() + " may gain privileges");
        }
        if (!RUNTIME_DEFAULT.equals(seccomp(pod.getSecurityContext().getSeccompProfile()))
                || !(sc.getSeccompProfile() == null || RUNTIME_DEFAULT.equals(seccomp(sc.getSeccompProfile())))
                || caps == null
                || caps.getDrop() == null
                || !caps.getDrop().contains("ALL")) {
            return Optional.of("its seccomp profile is not RuntimeDefault or its container " + c.getName()
                    + " keeps capabilities");
        }
        return Optional.empty();
    }

    /**
     * Fields no operator sets, which the API server fills in. The termination message only at its default path: another
     * would have the kubelet mount a file over any path of the image (the key's, say). The pull policy {@code Always}
     * or {@code IfNotPresent}, whatever the image: the API server sets it once, when the Deployment is created, and
     * keeps it through later images, and admission policies set {@code Always}; {@code Never} would run a stale cached
     * image or none.
     */
    private static Optional<String> apiDefaults(Container c) {
        if (c.getTerminationMessagePath() != null && !"/dev/termination-log".equals(c.getTerminationMessagePath())) {
            return Optional.of("its container " + c.getName() + " writes its termination message to "
                    + c.getTerminationMessagePath());
        }
        if (c.getImagePullPolicy() != null && !PULL_POLICIES.contains(c.getImagePullPolicy())) {
            return Optional.of("its container " + c.getName() + " pulls its image " + c.getImagePullPolicy() + " (only "
                    + PULL_POLICIES + ")");
        }
        return Optional.empty();
    }

    /** The container {@code name} of {@code pod}; null when it has none. */
    static Container named(PodSpec pod, String name) {
        return pod.getContainers().stream()
                .filter(c -> name.equals(c.getName()))
                .findFirst()
                .orElse(null);
    }

    private static String value(Container c, String name) {
        return Objects.requireNonNullElse(c.getEnv(), List.<EnvVar>of()).stream()
                .filter(e -> name.equals(e.getName()))
                .map(EnvVar::getValue)
                .findFirst()
                .orElse(null);
    }

    private static String seccomp(io.fabric8.kubernetes.api.model.SeccompProfile p) {
        return p == null ? null : p.getType();
    }

    private static boolean notEmpty(List<?> list) {
        return list != null && !list.isEmpty();
    }
}
