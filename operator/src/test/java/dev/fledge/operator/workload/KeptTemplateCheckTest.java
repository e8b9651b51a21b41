package dev.fledge.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.status.ServingStatus;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.HashMap;
import java.util.List;
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
    final ModelRelease mr = release();
    final ServingStatus recorded = new ServingConfig(DEFAULTS).of(mr);

    @Test
    void aTemplateAnyOperatorRevisionBuiltForTheRecordedConfigurationPasses() {
        for (PodHardening built : List.of(HARDENING, new PodHardening(java.util.Optional.empty(), List.of()))) {
            PodTemplateSpec t = new DesiredDeployment(DEFAULTS, built)
                    .build(mr, Labels.TRACK_STABLE, recorded, 2)
                    .getSpec()
                    .getTemplate();
            assertThat(KeptTemplateCheck.refusal(t, recorded, HARDENING)).isEmpty();
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

        assertThat(KeptTemplateCheck.refusal(t, recorded, HARDENING))
                .hasValueSatisfying(why -> assertThat(why).contains(reason));
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
