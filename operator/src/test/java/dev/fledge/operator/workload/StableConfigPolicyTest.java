package dev.fledge.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.status.ServingStatus;
import dev.fledge.core.rollout.EventReason;
import dev.fledge.core.rollout.RolloutEvent;
import dev.fledge.core.rollout.SpecWarning;
import dev.fledge.core.rollout.TrafficSplit;
import dev.fledge.operator.config.OperatorAssembly;
import dev.fledge.operator.routing.Replicas;
import dev.fledge.operator.validation.PodTemplatePolicy;
import dev.fledge.operator.validation.RecordedServingPolicy;
import dev.fledge.testsupport.MockCluster;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Review of issue 15, LOW 4: the stable Deployment is rebuilt from {@code status.stable} and may get back a pod
 * template kept in its own annotation. Whoever may write either must not get a pod the operator's policy would refuse
 * for the spec: an image outside the allowed prefixes, a service account, privilege.
 */
class StableConfigPolicyTest {
    static final String NS = "team-a";
    static final String DEFAULT_IMAGE = "registry.example.com/models/server:1";
    static final ServerDefaults DEFAULTS = new ServerDefaults(DEFAULT_IMAGE, 8080);
    static final ServingPolicy PREFIXES = new RecordedServingPolicy(
            new PodTemplatePolicy(List.of("registry.example.com/models/"), List.of()), DEFAULT_IMAGE);

    MockCluster cluster;
    KubernetesClient client;
    final ModelRelease mr = release();
    final ServingStatus v1 = new ServingConfig(DEFAULTS).of(mr);

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        client = cluster.client();
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void aRecordedStableImageOutsideTheOperatorsPrefixesIsNeverAppliedAndStableOnlyScales() {
        Workloads workloads = workloads(PREFIXES);
        workloads.applyStable(mr, stableRuns(v1), new Replicas(2, 0), null);
        Deployment before = stable();
        ServingStatus forged = copy(v1);
        forged.setImage("docker.io/evil/miner:latest");
        forged.setConfigHash("forged");

        workloads.applyStable(mr, stableRuns(forged), new Replicas(3, 0), before);

        assertThat(stable().getSpec().getTemplate()).isEqualTo(before.getSpec().getTemplate());
        assertThat(image(stable())).isEqualTo(DEFAULT_IMAGE);
        assertThat(stable().getSpec().getReplicas())
                .as("its replicas still follow the split")
                .isEqualTo(3);
        assertThat(workloads.refusedStable(forged, stable()))
                .hasValueSatisfying(w -> assertThat(w)
                        .returns(Workloads.STABLE_CONFIG_REFUSED, SpecWarning::type)
                        .returns("RecordedConfigRefused", SpecWarning::reason)
                        .satisfies(x -> assertThat(x.message())
                                .contains("status.stable.image: docker.io/evil/miner:latest is not allowed")));
        assertThat(workloads.refusedStable(v1, stable())).isEmpty();
    }

    /** The control: without the policy the forged status reaches the pods, so the test above shows the attack fail. */
    @Test
    void withoutThePolicyAForgedRecordedImageWouldReachTheStablePods() {
        Workloads workloads = workloads(ServingPolicy.ANY);
        workloads.applyStable(mr, stableRuns(v1), new Replicas(2, 0), null);
        ServingStatus forged = copy(v1);
        forged.setImage("docker.io/evil/miner:latest");
        forged.setConfigHash("forged");

        workloads.applyStable(mr, stableRuns(forged), new Replicas(2, 0), stable());

        assertThat(image(stable())).isEqualTo("docker.io/evil/miner:latest");
    }

    @Test
    void aRecordedTemplateTheSpecCheckWouldRefuseIsNotAppliedEither() {
        Workloads workloads = workloads(PREFIXES);
        workloads.applyStable(mr, stableRuns(v1), new Replicas(2, 0), null);
        ServingStatus forged = copy(v1);
        forged.setTemplate(new PodTemplateSpecBuilder()
                .withNewMetadata()
                .addToAnnotations("iam.amazonaws.com/role", "admin")
                .endMetadata()
                .build());
        forged.setConfigHash("forged");

        workloads.applyStable(mr, stableRuns(forged), new Replicas(2, 0), stable());

        assertThat(stable().getSpec().getTemplate().getMetadata().getAnnotations())
                .doesNotContainKey("iam.amazonaws.com/role");
        assertThat(workloads.refusedStable(forged, stable()))
                .hasValueSatisfying(w -> assertThat(w.message())
                        .contains("status.stable.template.metadata.annotations[iam.amazonaws.com/role]"));
    }

    static Stream<Arguments> schemaOnly() {
        return Stream.of(
                Arguments.of(
                        "an empty ephemeral storage class (binds any pre-provisioned volume)",
                        (Consumer<ServingStatus>) s -> s.setTemplate(new PodTemplateSpecBuilder()
                                .withNewSpec()
                                .addNewVolume()
                                .withName("scratch")
                                .withNewEphemeral()
                                .withNewVolumeClaimTemplate()
                                .withNewSpec()
                                .withStorageClassName("")
                                .withAccessModes("ReadWriteOnce")
                                .endSpec()
                                .endVolumeClaimTemplate()
                                .endEphemeral()
                                .endVolume()
                                .endSpec()
                                .build()),
                        "status.stable.template.spec.volumes[0].ephemeral.volumeClaimTemplate.spec.storageClassName"),
                Arguments.of("port 0", (Consumer<ServingStatus>) s -> s.setPort(0), "status.stable.port"),
                Arguments.of("port 70000", (Consumer<ServingStatus>) s -> s.setPort(70000), "status.stable.port"),
                Arguments.of(
                        "a URI of no scheme the server reads",
                        (Consumer<ServingStatus>) s -> s.setUri("/var/run/secrets/kubernetes.io/serviceaccount"),
                        "status.stable.uri"),
                Arguments.of("no URI", (Consumer<ServingStatus>) s -> s.setUri(null), "status.stable.uri"),
                Arguments.of(
                        "a checksum that is none",
                        (Consumer<ServingStatus>) s -> s.setSha256("x"),
                        "status.stable.sha256"),
                Arguments.of(
                        "a model name the schema refuses",
                        (Consumer<ServingStatus>) s -> s.setName("Evil Name"),
                        "status.stable.name"),
                Arguments.of(
                        "a version the schema refuses",
                        (Consumer<ServingStatus>) s -> s.setVersion("../1"),
                        "status.stable.version"),
                Arguments.of(
                        "a host path of another type",
                        (Consumer<ServingStatus>) s -> s.setTemplate(new PodTemplateSpecBuilder()
                                .withNewSpec()
                                .addNewVolume()
                                .withName("models")
                                .withNewHostPath()
                                .withPath("/srv/models/a.sock")
                                .withType("Socket")
                                .endHostPath()
                                .endVolume()
                                .endSpec()
                                .build()),
                        "status.stable.template.spec.volumes[0].hostPath.type: Socket"));
    }

    /**
     * Review of issue 15: the re-check of {@code status.stable} held it to the spec's policy but not to the rules only
     * the CRD schema holds for the spec, which the status subresource never applies.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("schemaOnly")
    void aRecordedConfigurationTheSpecsSchemaWouldRefuseIsNotApplied(
            String what, Consumer<ServingStatus> forge, String field) {
        Workloads workloads = workloads(new RecordedServingPolicy(
                new PodTemplatePolicy(List.of("registry.example.com/models/"), List.of("/srv/models")), DEFAULT_IMAGE));
        workloads.applyStable(mr, stableRuns(v1), new Replicas(2, 0), null);
        Deployment before = stable();
        ServingStatus forged = copy(v1);
        forge.accept(forged);
        forged.setConfigHash("forged");

        workloads.applyStable(mr, stableRuns(forged), new Replicas(2, 0), before);

        assertThat(stable().getSpec().getTemplate()).isEqualTo(before.getSpec().getTemplate());
        assertThat(workloads.refusedStable(forged, stable()))
                .hasValueSatisfying(w -> assertThat(w.message()).contains(field));
    }

    @Test
    void aKeptTemplateNoOperatorBuiltIsNotRestoredAndStableGetsTheRecordedConfigurationAsThisOperatorBuildsIt() {
        Workloads workloads = workloads(PREFIXES);
        Deployment promoting = keptWhilePromoting(t -> {
            t.getSpec().getContainers().get(0).setImage("docker.io/evil/miner:latest");
            t.getSpec().setServiceAccountName("admin");
            t.getSpec().setAutomountServiceAccountToken(true);
        });
        assertThat(workloads.refusedStable(v1, promoting))
                .hasValueSatisfying(w -> assertThat(w.reason()).isEqualTo("KeptTemplateRefused"));

        workloads.applyStable(mr, stableRuns(v1), new Replicas(2, 0), promoting);

        PodTemplateSpec now = stable().getSpec().getTemplate();
        assertThat(image(stable())).isEqualTo(DEFAULT_IMAGE);
        assertThat(now.getSpec().getServiceAccountName()).isNull();
        assertThat(now.getSpec().getAutomountServiceAccountToken()).isFalse();
        assertThat(now.getMetadata().getLabels()).containsEntry(Labels.VERSION, "1.0.0");
        assertThat(KeptTemplate.keptBy(stable())).as("nothing is kept any more").isEmpty();
    }

    @Test
    void aKeptTemplateAnOperatorBuiltIsRestoredAsItWas() {
        Workloads workloads = workloads(PREFIXES);
        PodTemplateSpec[] kept = new PodTemplateSpec[1];
        Deployment promoting = keptWhilePromoting(t -> {
            t.getMetadata().getAnnotations().put("kubectl.kubernetes.io/restartedAt", "2026-11-30T10:00:00Z");
            kept[0] = t;
        });
        assertThat(workloads.refusedStable(v1, promoting)).isEmpty();

        workloads.applyStable(mr, stableRuns(v1), new Replicas(2, 0), promoting);

        assertThat(stable().getSpec().getTemplate()).isEqualTo(kept[0]);
    }

    /**
     * Review of the read-only hostPath rule, HIGH 1: a stable an older operator built with a writable hostPath mount,
     * whose recorded configuration the policy now refuses for it, is only scaled by {@link Workloads#applyStable}; its
     * pods would keep writing in the node directory. {@link Workloads#lockHostPaths} makes the mount read-only and
     * leaves the rest of the template as it was.
     */
    @Test
    void aStableThatMountsANodeDirectoryWritableGetsTheMountReadOnlyAndKeepsTheRestOfItsTemplate() {
        Workloads workloads = workloads(new RecordedServingPolicy(
                new PodTemplatePolicy(List.of("registry.example.com/models/"), List.of("/srv/models")), DEFAULT_IMAGE));
        PodTemplateSpec writable = writableHostPath();
        Deployment before = client.apps()
                .deployments()
                .inNamespace(NS)
                .resource(stableWith(writable))
                .create();
        ServingStatus recorded = copy(v1);
        recorded.setTemplate(writable);
        recorded.setConfigHash("older");
        assertThat(workloads.refusedStable(recorded, before)).isPresent();
        workloads.applyStable(mr, stableRuns(recorded), new Replicas(3, 0), before);
        assertThat(stable().getSpec().getTemplate())
                .as("the refused configuration only scales stable")
                .isEqualTo(before.getSpec().getTemplate());

        Deployment writableNow = stable();
        Deployment forged = Serialization.clone(writableNow);
        forged.getMetadata().setUid("another-deployment-of-that-name");
        assertThat(workloads.lockHostPaths(mr, forged))
                .as("a patch that fails (here the uid test) is said")
                .hasValueSatisfying(e -> assertThat(e.reason()).isEqualTo(EventReason.HostPathLockFailed));
        assertThat(workloads.lockHostPaths(mr, forged))
                .as("once per new failure, not at every pass")
                .isEmpty();
        assertThat(stable().getSpec().getTemplate()).isEqualTo(before.getSpec().getTemplate());

        assertThat(workloads.lockHostPaths(mr, writableNow))
                .hasValueSatisfying(e -> assertThat(e)
                        .returns(EventReason.HostPathMadeReadOnly, RolloutEvent::reason)
                        .satisfies(x ->
                                assertThat(x.message()).contains("assistant-stable", "volume models in model-server")));

        PodTemplateSpec after = stable().getSpec().getTemplate();
        assertThat(after.getSpec().getContainers().get(0).getVolumeMounts())
                .filteredOn(m -> "models".equals(m.getName()))
                .singleElement()
                .satisfies(m -> assertThat(m.getReadOnly()).isTrue());
        PodTemplateSpec expected = Serialization.clone(before.getSpec().getTemplate());
        expected.getSpec().getContainers().get(0).getVolumeMounts().stream()
                .filter(m -> "models".equals(m.getName()))
                .forEach(m -> m.setReadOnly(true));
        assertThat(after).as("nothing else changes").isEqualTo(expected);
        assertThat(stable().getSpec().getReplicas()).isEqualTo(3);
        assertThat(workloads.lockHostPaths(mr, stable()))
                .as("nothing left to do")
                .isEmpty();
        assertThat(workloads.lockHostPaths(mr, writableNow))
                .as("a stale cached copy patches nothing and says nothing")
                .isEmpty();
        assertThat(stable().getSpec().getTemplate()).isEqualTo(expected);
    }

    @Test
    void aDeploymentTheReleaseDoesNotControlIsNotTouched() {
        Workloads workloads = workloads(ServingPolicy.ANY);
        Deployment built = stableWith(writableHostPath());
        built.getMetadata().setOwnerReferences(List.of());
        Deployment other =
                client.apps().deployments().inNamespace(NS).resource(built).create();

        assertThat(workloads.lockHostPaths(mr, other)).isEmpty();
        assertThat(stable().getSpec().getTemplate()).isEqualTo(other.getSpec().getTemplate());
    }

    /** A template with the node directory /srv/models/assistant mounted writable in model-server. */
    private static PodTemplateSpec writableHostPath() {
        return new PodTemplateSpecBuilder()
                .withNewSpec()
                .addNewContainer()
                .withName("model-server")
                .addNewVolumeMount()
                .withName("models")
                .withMountPath("/models")
                .endVolumeMount()
                .endContainer()
                .addNewVolume()
                .withName("models")
                .withNewHostPath()
                .withPath("/srv/models/assistant")
                .withType("Directory")
                .endHostPath()
                .endVolume()
                .endSpec()
                .build();
    }

    /** Stable at 1.0.0 as this operator builds it, plus the volumes and model-server mounts of {@code extra}. */
    private Deployment stableWith(PodTemplateSpec extra) {
        Deployment built = new DesiredDeployment(DEFAULTS).build(mr, Labels.TRACK_STABLE, v1, 2);
        built.getSpec()
                .getTemplate()
                .getSpec()
                .getVolumes()
                .addAll(extra.getSpec().getVolumes());
        built.getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getVolumeMounts()
                .addAll(extra.getSpec().getContainers().get(0).getVolumeMounts());
        return built;
    }

    /**
     * A stable Deployment mid-promotion: it runs version 2.0.0, keeping the template that ran the recorded 1.0.0 in
     * its annotation as an older operator (another template revision) built it, changed by {@code edit}.
     */
    private Deployment keptWhilePromoting(java.util.function.Consumer<PodTemplateSpec> edit) {
        DesiredDeployment older = new DesiredDeployment(DEFAULTS, new PodHardening(Optional.of(2000L), List.of()));
        Deployment old = older.build(mr, Labels.TRACK_STABLE, v1, 2);
        PodTemplateSpec template = Serialization.clone(old.getSpec().getTemplate());
        if (template.getMetadata().getAnnotations() == null) {
            template.getMetadata().setAnnotations(new java.util.HashMap<>());
        }
        edit.accept(template);
        old.getSpec().setTemplate(template);
        ServingStatus v2 = copy(v1);
        v2.setVersion("2.0.0");
        v2.setUri("s3://models/assistant/2.0.0");
        v2.setConfigHash("v2");
        Deployment promoting =
                KeptTemplate.of(old).keptIn(new DesiredDeployment(DEFAULTS).build(mr, Labels.TRACK_STABLE, v2, 2));
        return client.apps().deployments().inNamespace(NS).resource(promoting).create();
    }

    private Workloads workloads(ServingPolicy policy) {
        return OperatorAssembly.workloads(
                client, Clock.systemUTC(), DEFAULTS, PodHardening.standard(), ModelServerLimits.standard(), policy);
    }

    private Deployment stable() {
        return client.apps()
                .deployments()
                .inNamespace(NS)
                .withName("assistant-stable")
                .get();
    }

    private static String image(Deployment d) {
        return d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    private static TrafficSplit stableRuns(ServingStatus s) {
        return new TrafficSplit(s.getVersion(), s, null, Set.of(), 0);
    }

    private static ServingStatus copy(ServingStatus s) {
        return Serialization.clone(s);
    }

    private static ModelRelease release() {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(new ObjectMetaBuilder()
                .withName("assistant")
                .withNamespace(NS)
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
