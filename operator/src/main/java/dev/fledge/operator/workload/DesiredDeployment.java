package dev.fledge.operator.workload;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.HostPathMounts;
import dev.fledge.api.spec.UpstreamSpec;
import dev.fledge.api.status.ServingStatus;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The Deployment of one track ({@code stable} or {@code canary}) running one serving configuration
 * ({@link ServingConfig}: the spec's for the canary, the recorded {@code status.stable} for the stable track), with
 * its configuration hash in the annotation {@link #CONFIG_HASH}. From the user's pod template only the allow-listed fields are copied (docs/security.md): extra labels
 * and annotations, nodeSelector, tolerations, affinity, volumes, and the model container's resources, env and
 * volumeMounts (env without the variables {@link ModelServerLimits#refusal} names: the operator sets the model
 * server's limits). Everything else is Fledge's: one container, a restricted securityContext, no service account token,
 * the probes (readiness, liveness, and a startup probe on the readiness endpoint) and a preStop sleep with a
 * termination grace period that covers it.
 * The validator rejects a template with other fields; this class drops them in any case. With {@code
 * spec.server.upstream} the model container runs another server's image (with the template's command and args too,
 * one port {@link ServerDefaults#UPSTREAM_PORT}, no probes), and a second container {@link
 * ServerDefaults#PROXY_CONTAINER}, the Fledge model server in proxy mode, holds the ports, probes, env and key above.
 */
public final class DesiredDeployment {
    /** Annotation of the Deployment: the hash of the serving configuration its pod template was built from. */
    public static final String CONFIG_HASH = "fledge.dev/config-hash";

    /**
     * Annotation of the Deployment: the revision of the pod template the operator built around the serving
     * configuration ({@link #templateRevision()}). A stable Deployment of another revision keeps its pod template until
     * the next promotion ({@link Workloads#applyStable}).
     */
    public static final String TEMPLATE_REVISION = "fledge.dev/template-revision";

    /**
     * The revision of what this operator builds around a serving configuration: everything in the pod template that no
     * spec field sets (the env, probes, lifecycle, security contexts, mounts and volumes of this class,
     * {@link PodHardening} and {@link ModelServerLimits}). Bump it with every change of that: {@code
     * OperatorTemplateRevisionTest} compares the template with a committed rendering and fails until then. 2: the
     * release's response-id key ({@link FeedbackKey}) mounted, with {@code FLEDGE_FEEDBACK_SIGNING_KEY_FILE}. 3: the
     * public port ({@link ServerDefaults#PUBLIC_PORT}, {@code FLEDGE_PUBLIC_PORT}, which a release may not set), where
     * the server counts every request as public. 4: the readiness probe asks the public port, so a pod whose image does
     * not serve it (a pinned older {@code spec.server.image}) is never Ready, rather than Ready behind a public Service
     * that cannot reach it (review of issue 15). 5: a read-only root filesystem, with an emptyDir at {@code /tmp}
     * ({@link #SCRATCH_VOLUME}) unless the template mounts one there (issue 16).
     */
    public static final int REVISION = 5;

    /**
     * The readiness endpoint. The readiness probe asks it on the public port (the one the public Service targets,
     * {@link PublicTarget}), the startup probe on the main one: a pod is Ready only once both listen.
     */
    static final String READY_PATH = "/q/health/ready";

    /**
     * The startup probe asks the readiness endpoint (ready once the model is loaded and warmed up,
     * docs/model-server.md) every 2 s for up to 10 minutes: the liveness probe starts only after it, so a slow first
     * load (libtorch unpacked in an image that does not hold it, a large model fetched) is not killed as dead.
     */
    static final int STARTUP_PERIOD_SECONDS = 2;

    static final int STARTUP_FAILURES = 300;
    /**
     * A terminating pod keeps serving this long before it gets SIGTERM: Services, kube-proxy and gateways take a
     * moment to stop sending it new requests (without it, a real cluster failed 10 of 3269 requests during a rollout).
     */
    static final long PRE_STOP_SECONDS = 5;
    /** How long the Fledge server has after SIGTERM for the requests in flight to finish. */
    static final long DRAIN_SECONDS = 30;
    /** The preStop sleep plus {@link #DRAIN_SECONDS} for requests in flight to finish after SIGTERM. */
    static final long TERMINATION_GRACE_SECONDS = PRE_STOP_SECONDS + DRAIN_SECONDS;
    /**
     * The preStop sleep of another server's container ({@code spec.server.upstream}): it gets SIGTERM only after the
     * sidecar's preStop and drain, because servers such as vLLM abort their requests in flight at SIGTERM, and the
     * sidecar's drain forwards to it.
     */
    static final long UPSTREAM_PRE_STOP_SECONDS = PRE_STOP_SECONDS + DRAIN_SECONDS;
    /** The termination grace of a pod with an upstream: its preStop plus 15 s for it to stop after SIGTERM. */
    static final long UPSTREAM_TERMINATION_GRACE_SECONDS = UPSTREAM_PRE_STOP_SECONDS + 15;
    /** The volume of the release's response-id key ({@link FeedbackKey}), its mount path and the file in it. */
    static final String FEEDBACK_KEY_VOLUME = "fledge-feedback-key";

    /**
     * The operator's emptyDir at {@link MountPaths#SCRATCH}, the model server's only writable directory on a read-only
     * root filesystem: the DJL cache (its JNI library, or libtorch in an image that does not hold it unpacked),
     * downloads and the JVM's temporary files. Not added when the template mounts an emptyDir of its own there (to set
     * a {@code sizeLimit} or {@code medium}, say). A template volume of this name is dropped, as the key's is.
     */
    static final String SCRATCH_VOLUME = "fledge-tmp";

    /**
     * The sidecar's emptyDir at {@link MountPaths#SCRATCH} beside an upstream ({@code spec.server.upstream}): its own,
     * not the model container's {@link #SCRATCH_VOLUME}. A template volume or mount of this name is dropped then.
     */
    static final String PROXY_SCRATCH_VOLUME = "fledge-proxy-tmp";

    /** Where the model server writes, set on every model container: all below {@link MountPaths#SCRATCH}. */
    private static final String[][] SCRATCH_ENV = {
        {"HOME", MountPaths.SCRATCH}, {"DJL_CACHE_DIR", "/tmp/djl-cache"}, {"ENGINE_CACHE_DIR", "/tmp/djl-cache"}
    };

    /**
     * Pod annotation of a pod with an upstream ({@code spec.server.upstream}): the path of the upstream's own metrics on
     * its port {@link ServerDefaults#UPSTREAM_PORT}, which the scrape configuration's second target reads
     * (docs/servers.md).
     */
    public static final String UPSTREAM_METRICS_PATH = "fledge.dev/upstream-metrics-path";

    static final String FEEDBACK_KEY_DIR = "/var/run/fledge/feedback-key";
    public static final String FEEDBACK_KEY_FILE = FEEDBACK_KEY_DIR + "/" + FeedbackKey.DATA_KEY;

    private final ServerDefaults defaults;
    private final PodHardening hardening;
    private final ModelServerLimits limits;

    public DesiredDeployment(ServerDefaults defaults) {
        this(defaults, PodHardening.standard());
    }

    public DesiredDeployment(ServerDefaults defaults, PodHardening hardening) {
        this(defaults, hardening, ModelServerLimits.standard());
    }

    public DesiredDeployment(ServerDefaults defaults, PodHardening hardening, ModelServerLimits limits) {
        this.defaults = defaults;
        this.hardening = hardening;
        this.limits = limits;
    }

    /** The security settings every model pod gets from this operator. */
    PodHardening hardening() {
        return hardening;
    }

    public Deployment build(ModelRelease mr, String track, ServingStatus serving, int replicas) {
        String version = serving.getVersion();
        Map<String, String> selector = Map.of(Labels.RELEASE, mr.getMetadata().getName(), Labels.TRACK, track);
        PodTemplateSpec template = template(mr.getMetadata().getName(), track, serving);
        return new DeploymentBuilder()
                .withMetadata(Owned.meta(
                        mr, Names.deployment(mr, track), Map.of(Labels.TRACK, track, Labels.VERSION, version)))
                .editMetadata()
                .addToAnnotations(CONFIG_HASH, serving.getConfigHash())
                .addToAnnotations(TEMPLATE_REVISION, templateRevision())
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withNewSelector()
                .withMatchLabels(selector)
                .endSelector()
                .withTemplate(template)
                .endSpec()
                .build();
    }

    /** The pod template of {@code release}'s {@code track} running {@code serving}. */
    private PodTemplateSpec template(String release, String track, ServingStatus serving) {
        String version = serving.getVersion();
        Map<String, String> selector = Map.of(Labels.RELEASE, release, Labels.TRACK, track);
        Map<String, String> podLabels = new LinkedHashMap<>(selector);
        podLabels.put(Labels.VERSION, version);
        PodTemplateSpec base = serving.getTemplate() == null ? new PodTemplateSpec() : serving.getTemplate();
        ObjectMeta userMeta = base.getMetadata() == null ? new ObjectMeta() : base.getMetadata();
        PodSpec user = base.getSpec() == null ? new PodSpec() : base.getSpec();
        return hostPathsReadOnly(new PodTemplateSpecBuilder()
                .withNewMetadata()
                .addToLabels(userMeta.getLabels())
                .addToLabels(podLabels)
                .addToAnnotations(userMeta.getAnnotations())
                .addToAnnotations(upstreamAnnotations(serving))
                .endMetadata()
                .withNewSpec()
                .withContainers(containers(release, userContainer(user), emptyDirs(user), serving))
                .withNodeSelector(user.getNodeSelector())
                .withTolerations(user.getTolerations())
                .withAffinity(user.getAffinity())
                .withVolumes(volumes(release, user, serving))
                .withTerminationGracePeriodSeconds(
                        serving.getUpstream() == null ? TERMINATION_GRACE_SECONDS : UPSTREAM_TERMINATION_GRACE_SECONDS)
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withSecurityContext(hardening.pod())
                .endSpec()
                .build());
    }

    /**
     * {@code template} with every mount of a hostPath volume read-only ({@link HostPathMounts}), in every container. A
     * second line only: the reconciler validates first, and a release that mounts one writable goes Invalid.
     */
    private static PodTemplateSpec hostPathsReadOnly(PodTemplateSpec template) {
        Set<String> hostPaths = HostPathLock.hostPathVolumes(template.getSpec().getVolumes());
        for (Container c : template.getSpec().getContainers()) {
            c.setVolumeMounts(Objects.requireNonNullElse(c.getVolumeMounts(), List.<VolumeMount>of()).stream()
                    .map(m -> HostPathLock.writable(m, hostPaths)
                            ? new VolumeMountBuilder(m).withReadOnly(true).build()
                            : m)
                    .toList());
        }
        return template;
    }

    /**
     * The pod's volumes: the template's safe ones, the release's key, the scratch volumes, the model's claim and its S3
     * store's credentials.
     */
    private List<Volume> volumes(String release, PodSpec user, ServingStatus serving) {
        List<Volume> volumes = new ArrayList<>(safeVolumes(user, hardening).stream()
                .filter(v -> serving.getUpstream() == null || !PROXY_SCRATCH_VOLUME.equals(v.getName()))
                .toList());
        volumes.add(feedbackKeyVolume(release));
        volumes.addAll(scratchVolume(userContainer(user), emptyDirs(user)));
        volumes.addAll(proxyScratchVolume(serving));
        volumes.addAll(ModelClaim.volumes(serving.getUri()));
        volumes.addAll(ModelStoreS3.volumes(serving));
        return volumes;
    }

    /**
     * The stable pod template {@link #build} makes for {@code serving} with {@code spec.server.upstream}, for {@link
     * KeptTemplateCheck} to hold a kept template of two containers to; empty without an upstream.
     */
    Optional<PodTemplateSpec> upstreamPod(String release, ServingStatus serving) {
        return serving.getUpstream() == null
                ? Optional.empty()
                : Optional.of(template(release, Labels.TRACK_STABLE, serving));
    }

    /**
     * The template revision this operator builds: {@link #REVISION} and a digest of its model-pod settings (the
     * hardening and the model server's limits, set at install), so a change of either is a new template too.
     */
    public String templateRevision() {
        return REVISION + "-" + ServingConfig.digest(hardening + "/" + limits);
    }

    /** Whether {@code d}'s pod template mounts the release's key Secret (the operator's volume). */
    static boolean mountsFeedbackKey(Deployment d) {
        return d != null
                && d.getSpec() != null
                && d.getSpec().getTemplate() != null
                && d.getSpec().getTemplate().getSpec() != null
                && d.getSpec().getTemplate().getSpec().getVolumes() != null
                && d.getSpec().getTemplate().getSpec().getVolumes().stream()
                        .anyMatch(v -> FEEDBACK_KEY_VOLUME.equals(v.getName()) && v.getSecret() != null);
    }

    /**
     * The template revision a Deployment was built with; empty for one built before revisions were recorded (no
     * annotation, or an empty one: {@link KeptTemplate#restoredIn}).
     */
    public static Optional<String> templateRevision(Deployment d) {
        return Optional.ofNullable(d.getMetadata().getAnnotations())
                .map(a -> a.get(TEMPLATE_REVISION))
                .filter(r -> !r.isEmpty());
    }

    /** Each volume with only its sources of the safe types (a hostPath, say, is dropped). */
    private static List<Volume> safeVolumes(PodSpec user, PodHardening hardening) {
        return user.getVolumes() == null
                ? List.of()
                : user.getVolumes().stream()
                        .filter(v -> !FEEDBACK_KEY_VOLUME.equals(v.getName())
                                && !SCRATCH_VOLUME.equals(v.getName())
                                && !ModelClaim.VOLUME.equals(v.getName())
                                && !ModelStoreS3.VOLUME.equals(v.getName()))
                        .map(v -> new VolumeBuilder()
                                .withName(v.getName())
                                .withEmptyDir(v.getEmptyDir())
                                .withConfigMap(v.getConfigMap())
                                .withSecret(v.getSecret())
                                .withDownwardAPI(v.getDownwardAPI())
                                .withPersistentVolumeClaim(v.getPersistentVolumeClaim())
                                .withEphemeral(v.getEphemeral())
                                .withHostPath(
                                        v.getHostPath() != null
                                                        && hardening.hostPathAllowed(
                                                                v.getHostPath().getPath())
                                                ? v.getHostPath()
                                                : null)
                                .build())
                        .toList();
    }

    /**
     * The release's key Secret, mounted read-only. Mode 0444: the pod may run as the image's user (no runAsUser, no
     * fsGroup), and only the model server mounts it (with an upstream, the sidecar; never the other server).
     */
    private static Volume feedbackKeyVolume(String release) {
        return new VolumeBuilder()
                .withName(FEEDBACK_KEY_VOLUME)
                .withNewSecret()
                .withSecretName(Names.feedbackKey(release))
                .withDefaultMode(0444)
                .withOptional(false)
                .endSecret()
                .build();
    }

    /**
     * The mounts off the image's code ({@link MountPaths}); the others are dropped. A second line only: the reconciler
     * validates first ({@code PodTemplatePolicy}, the same rule), so a release holding such a mount (one stored before
     * an upgrade) goes Invalid with a Warning {@code InvalidSpec} Event naming the path, and its Deployments are not
     * rebuilt without it. A mount of the key's volume name is the operator's: the template's is dropped, and the key
     * is mounted read-only last. For the Fledge model server ({@code nestedRefused}), a mount at or below another
     * volume's that is not an emptyDir is dropped too ({@link MountPaths#nestedRefusal}).
     */
    private static List<VolumeMount> safeMounts(Container user, Set<String> emptyDirs, boolean nestedRefused) {
        List<VolumeMount> mounts = new ArrayList<>();
        boolean scratch = !scratchVolume(user, emptyDirs).isEmpty();
        if (user.getVolumeMounts() != null) {
            List<VolumeMount> kept = user.getVolumeMounts().stream()
                    .filter(m -> !FEEDBACK_KEY_VOLUME.equals(m.getName())
                            && !SCRATCH_VOLUME.equals(m.getName())
                            && !ModelClaim.VOLUME.equals(m.getName())
                            && !ModelStoreS3.VOLUME.equals(m.getName()))
                    // the operator's scratch volume takes /tmp: a read-only one of the template's is dropped
                    .filter(m -> !(scratch && isScratch(m.getMountPath())))
                    .filter(m -> MountPaths.refusal(m.getMountPath(), emptyDirs.contains(m.getName()))
                            .isEmpty())
                    .toList();
            List<MountPaths.Mount> paths = MountPaths.of(kept, emptyDirs);
            for (int i = 0; i < kept.size(); i++) {
                if (!nestedRefused || MountPaths.nestedRefusal(i, paths).isEmpty()) {
                    mounts.add(kept.get(i));
                }
            }
        }
        if (scratch) {
            mounts.add(new VolumeMountBuilder()
                    .withName(SCRATCH_VOLUME)
                    .withMountPath(MountPaths.SCRATCH)
                    .build());
        }
        mounts.add(new VolumeMountBuilder()
                .withName(FEEDBACK_KEY_VOLUME)
                .withMountPath(FEEDBACK_KEY_DIR)
                .withReadOnly(true)
                .build());
        return mounts;
    }

    /** The sidecar's mounts: its own {@code /tmp} and the release's key. */
    private static List<VolumeMount> proxyMounts() {
        return List.of(
                new VolumeMountBuilder()
                        .withName(PROXY_SCRATCH_VOLUME)
                        .withMountPath(MountPaths.SCRATCH)
                        .build(),
                new VolumeMountBuilder()
                        .withName(FEEDBACK_KEY_VOLUME)
                        .withMountPath(FEEDBACK_KEY_DIR)
                        .withReadOnly(true)
                        .build());
    }

    private static boolean isScratch(String mountPath) {
        return mountPath != null
                && mountPath.replaceAll("/+", "/").replaceAll("(.)/$", "$1").equals(MountPaths.SCRATCH);
    }

    /**
     * The operator's {@link #SCRATCH_VOLUME}, or none when the template mounts a writable emptyDir of its own at /tmp
     * (one the operator keeps: not under the key's volume name).
     */
    private static List<Volume> scratchVolume(Container user, Set<String> emptyDirs) {
        boolean own = user.getVolumeMounts() != null
                && user.getVolumeMounts().stream()
                        .anyMatch(m -> !SCRATCH_VOLUME.equals(m.getName())
                                && !FEEDBACK_KEY_VOLUME.equals(m.getName())
                                && !ModelStoreS3.VOLUME.equals(m.getName())
                                && !Boolean.TRUE.equals(m.getReadOnly())
                                && emptyDirs.contains(m.getName())
                                && isScratch(m.getMountPath()));
        return own
                ? List.of()
                : List.of(new VolumeBuilder()
                        .withName(SCRATCH_VOLUME)
                        .withNewEmptyDir()
                        .endEmptyDir()
                        .build());
    }

    /** The sidecar's own {@code /tmp} ({@link #PROXY_SCRATCH_VOLUME}), with an upstream only. */
    private static List<Volume> proxyScratchVolume(ServingStatus serving) {
        return serving.getUpstream() == null
                ? List.of()
                : List.of(new VolumeBuilder()
                        .withName(PROXY_SCRATCH_VOLUME)
                        .withNewEmptyDir()
                        .endEmptyDir()
                        .build());
    }

    private static Set<String> emptyDirs(PodSpec user) {
        return user.getVolumes() == null
                ? Set.of()
                : user.getVolumes().stream()
                        .filter(v -> v.getEmptyDir() != null)
                        .map(Volume::getName)
                        .collect(Collectors.toSet());
    }

    /**
     * The container of {@code containers} that serves the pod contract (ports, probes, the operator's env): the sidecar
     * {@code fledge-proxy} when there is one, else {@code model-server}.
     */
    static Optional<Container> fledgeContainer(List<Container> containers) {
        if (containers == null) {
            return Optional.empty();
        }
        return containers.stream()
                .filter(c -> ServerDefaults.PROXY_CONTAINER.equals(c.getName()))
                .findFirst()
                .or(() -> containers.stream()
                        .filter(c -> ServerDefaults.CONTAINER.equals(c.getName()))
                        .findFirst());
    }

    private static Container userContainer(PodSpec user) {
        return user.getContainers() == null
                ? new Container()
                : user.getContainers().stream()
                        .filter(c -> ServerDefaults.CONTAINER.equals(c.getName()))
                        .findFirst()
                        .orElseGet(Container::new);
    }

    /**
     * The variables this operator sets on the model container of {@code release} for {@code serving}, by name, in the
     * order they are set: the model (with its S3 store's settings, {@link ModelStoreS3}), the ports, the response-id
     * key file and the model server's limits. A release may set none of them ({@link ModelServerLimits#refusal}); a
     * kept template may hold them only at these values ({@link KeptTemplateCheck}).
     */
    List<EnvVar> operatorEnv(String release, ServingStatus serving) {
        int port = serving.getPort() == null ? defaults.port(null) : serving.getPort();
        List<EnvVar> env = new ArrayList<>();
        env.add(new EnvVarBuilder()
                .withName("FLEDGE_RELEASE")
                .withValue(release)
                .build());
        env.add(new EnvVarBuilder()
                .withName("FLEDGE_MODEL_NAME")
                .withValue(serving.getName())
                .build());
        env.add(new EnvVarBuilder()
                .withName("FLEDGE_MODEL_VERSION")
                .withValue(serving.getVersion())
                .build());
        env.add(new EnvVarBuilder()
                .withName("FLEDGE_MODEL_URI")
                .withValue(serving.getUri())
                .build());
        if (serving.getFormat() != null) {
            env.add(new EnvVarBuilder()
                    .withName("FLEDGE_MODEL_FORMAT")
                    .withValue(serving.getFormat().wireName())
                    .build());
        }
        if (serving.getSha256() != null) {
            env.add(new EnvVarBuilder()
                    .withName("FLEDGE_MODEL_SHA256")
                    .withValue(serving.getSha256())
                    .build());
        }
        env.addAll(ModelStoreS3.env(serving));
        env.add(new EnvVarBuilder()
                .withName("QUARKUS_HTTP_PORT")
                .withValue(String.valueOf(port))
                .build());
        env.add(new EnvVarBuilder()
                .withName("FLEDGE_PUBLIC_PORT")
                .withValue(String.valueOf(ServerDefaults.publicPort(port)))
                .build());
        env.add(new EnvVarBuilder()
                .withName("FLEDGE_FEEDBACK_SIGNING_KEY_FILE")
                .withValue(FEEDBACK_KEY_FILE)
                .build());
        // the root filesystem is read-only: whatever the image sets, the DJL cache (DJL's native libraries) and
        // the home directory are in the /tmp emptyDir (a release may not set these names: ModelServerLimits)
        for (String[] e : SCRATCH_ENV) {
            env.add(new EnvVarBuilder().withName(e[0]).withValue(e[1]).build());
        }
        env.addAll(limits.env());
        UpstreamSpec upstream = serving.getUpstream();
        if (upstream != null) {
            env.add(new EnvVarBuilder()
                    .withName("FLEDGE_UPSTREAM_URL")
                    .withValue("http://127.0.0.1:" + upstream.getPort())
                    .build());
            env.add(new EnvVarBuilder()
                    .withName("FLEDGE_UPSTREAM_READINESS_PATH")
                    .withValue(upstream.getReadinessPath())
                    .build());
        }
        env.addAll(LiveJudgeEnv.of(serving.getLiveJudge()));
        return env;
    }

    /** {@link #operatorEnv} by name, to compare with. */
    Map<String, String> operatorEnvValues(String release, ServingStatus serving) {
        Map<String, String> values = new LinkedHashMap<>();
        operatorEnv(release, serving).forEach(e -> values.put(e.getName(), e.getValue()));
        return values;
    }

    /**
     * The pod's containers: the Fledge model server {@code model-server}; or, with {@code upstream}, the user's server
     * as {@code model-server} and the Fledge model server in proxy mode in front of it as {@code fledge-proxy}.
     */
    private List<Container> containers(String release, Container user, Set<String> emptyDirs, ServingStatus serving) {
        UpstreamSpec upstream = serving.getUpstream();
        if (upstream == null) {
            return List.of(modelServer(release, user, emptyDirs, serving));
        }
        return List.of(
                upstreamServer(user, emptyDirs, serving, upstream), modelServer(release, null, emptyDirs, serving));
    }

    /** The pod annotation that tells the scrape configuration where the upstream serves its own metrics. */
    private static Map<String, String> upstreamAnnotations(ServingStatus serving) {
        return serving.getUpstream() == null
                ? Map.of()
                : Map.of(UPSTREAM_METRICS_PATH, serving.getUpstream().getMetricsPath());
    }

    /**
     * The user's OpenAI-compatible server ({@code spec.server.upstream}): their image, command, args, resources, env
     * and mounts, the operator's hardening and {@code /tmp}, one port {@code upstream} and no probes of its own (the
     * sidecar's readiness asks it), a preStop sleep ({@link #UPSTREAM_PRE_STOP_SECONDS}) past the sidecar's preStop and drain, so that it
     * outlives the requests the sidecar forwards.
     */
    private Container upstreamServer(
            Container user, Set<String> emptyDirs, ServingStatus serving, UpstreamSpec upstream) {
        List<EnvVar> env = new ArrayList<>();
        env.add(new EnvVarBuilder()
                .withName("HOME")
                .withValue(MountPaths.SCRATCH)
                .build());
        if (user.getEnv() != null) {
            user.getEnv().stream()
                    .filter(e -> ModelServerLimits.refusal(e.getName()).isEmpty())
                    .filter(e -> env.stream().noneMatch(m -> m.getName().equals(e.getName())))
                    .forEach(env::add);
        }
        List<VolumeMount> mounts = safeMounts(user, emptyDirs, false).stream()
                .filter(m -> !FEEDBACK_KEY_VOLUME.equals(m.getName()) && !PROXY_SCRATCH_VOLUME.equals(m.getName()))
                .toList();
        return new ContainerBuilder()
                .withName(ServerDefaults.CONTAINER)
                .withImage(serving.getImage() == null ? defaults.image(null) : serving.getImage())
                .withCommand(user.getCommand())
                .withArgs(user.getArgs())
                .withEnv(env)
                .withResources(user.getResources())
                .withVolumeMounts(mounts)
                .addAllToVolumeMounts(ModelClaim.mounts(serving.getUri()))
                .withSecurityContext(hardening.container())
                .addNewPort()
                .withName(ServerDefaults.UPSTREAM_PORT)
                .withContainerPort(upstream.getPort())
                .withProtocol("TCP")
                .endPort()
                .withNewLifecycle()
                .withNewPreStop()
                .withNewSleep(UPSTREAM_PRE_STOP_SECONDS)
                .endPreStop()
                .endLifecycle()
                .build();
    }

    /**
     * The Fledge model server: the pod contract of docs/model-server.md (ports {@code http} and {@code http-public},
     * probes, the operator's env). With an upstream it is the sidecar {@code fledge-proxy} in proxy mode, without the
     * user's settings (those are the upstream's), forwarding to the upstream's port on the pod's loopback.
     */
    private Container modelServer(String release, Container user, Set<String> emptyDirs, ServingStatus serving) {
        int port = serving.getPort() == null ? defaults.port(null) : serving.getPort();
        UpstreamSpec upstream = serving.getUpstream();
        List<EnvVar> env = new ArrayList<>();
        env.addAll(operatorEnv(release, serving));
        if (upstream == null && user.getEnv() != null) {
            user.getEnv().stream()
                    .filter(e -> ModelServerLimits.refusal(e.getName()).isEmpty())
                    .filter(e -> env.stream().noneMatch(m -> m.getName().equals(e.getName())))
                    .forEach(env::add);
        }
        return new ContainerBuilder()
                .withName(upstream == null ? ServerDefaults.CONTAINER : ServerDefaults.PROXY_CONTAINER)
                .withImage(
                        upstream != null
                                ? upstream.getProxyImage()
                                : serving.getImage() == null ? defaults.image(null) : serving.getImage())
                .withEnv(env)
                .withResources(upstream == null ? user.getResources() : defaults.proxyResources())
                .withVolumeMounts(upstream == null ? safeMounts(user, emptyDirs, true) : proxyMounts())
                .addAllToVolumeMounts(upstream == null ? ModelClaim.mounts(serving.getUri()) : List.of())
                .addAllToVolumeMounts(ModelStoreS3.mounts(serving))
                .withSecurityContext(hardening.container())
                .withPorts()
                .addNewPort()
                .withName(ServerDefaults.PORT)
                .withContainerPort(port)
                .withProtocol("TCP")
                .endPort()
                .addNewPort()
                .withName(ServerDefaults.PUBLIC_PORT)
                .withContainerPort(ServerDefaults.publicPort(port))
                .withProtocol("TCP")
                .endPort()
                .withReadinessProbe(new ProbeBuilder()
                        .withNewHttpGet()
                        .withPath(READY_PATH)
                        .withPort(new IntOrString(ServerDefaults.PUBLIC_PORT))
                        .endHttpGet()
                        .withPeriodSeconds(5)
                        // it shares the public listener with the users: a busy second is not a pod to drop
                        .withTimeoutSeconds(3)
                        .build())
                .withStartupProbe(new ProbeBuilder()
                        .withNewHttpGet()
                        .withPath(READY_PATH)
                        .withPort(new IntOrString(ServerDefaults.PORT))
                        .endHttpGet()
                        .withPeriodSeconds(STARTUP_PERIOD_SECONDS)
                        .withFailureThreshold(STARTUP_FAILURES)
                        .build())
                .withNewLifecycle()
                .withNewPreStop()
                .withNewSleep(PRE_STOP_SECONDS)
                .endPreStop()
                .endLifecycle()
                .withLivenessProbe(new ProbeBuilder()
                        .withNewHttpGet()
                        .withPath("/q/health/live")
                        .withPort(new IntOrString(ServerDefaults.PORT))
                        .endHttpGet()
                        .withPeriodSeconds(10)
                        .withFailureThreshold(6)
                        .build())
                .build();
    }
}
