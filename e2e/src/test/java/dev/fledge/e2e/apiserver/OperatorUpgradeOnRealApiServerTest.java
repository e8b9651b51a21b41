package dev.fledge.e2e.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.spec.UpstreamSpec;
import dev.fledge.api.status.Phase;
import dev.fledge.e2e.rollout.ProductionReconciler;
import dev.fledge.e2e.rollout.RolloutScenario;
import dev.fledge.e2e.rollout.TestReleases;
import dev.fledge.operator.workload.DesiredDeployment;
import dev.fledge.testsupport.DeploymentReadiness;
import dev.fledge.testsupport.InProcessOperator;
import dev.fledge.testsupport.UserEdits;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An operator upgrade on a real API server, where server-side apply removes the fields the operator owned and no
 * longer applies: the stable Deployment an older operator built keeps its pod template while its replicas follow the
 * spec, and an abort during the next promotion puts it back in exactly that template. The older template is the
 * previous operator's (template revision 1): without the response-id key, which reaches stable only with a promotion.
 */
@Tag("apiserver")
class OperatorUpgradeOnRealApiServerTest {
    static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);
    static final String NS = "operator-upgrade";

    static KubernetesClient client;
    InProcessOperator operator;
    DeploymentReadiness kubelet;

    @BeforeAll
    static void installCrds() {
        client = RealApiServer.shared().client();
        new ClusterResources(client).installCrds(List.of(RepoFiles.modelReleaseCrd()));
    }

    @AfterEach
    void stop() {
        if (operator != null) {
            operator.close();
        }
        if (kubelet != null) {
            kubelet.close();
        }
    }

    @Test
    void stableKeepsTheTemplateAnOlderOperatorBuiltThroughAReplicasChangeAndAnAbortWhilePromoting() {
        new ClusterResources(client).ensureNamespace(NS);
        kubelet = new DeploymentReadiness(client, NS);
        operator = startOperator();
        RolloutScenario scenario = new RolloutScenario(client, NS, "assistant", STEP_TIMEOUT);
        scenario.firstReleaseIsPromoted(TestReleases.replicas(NS, "assistant", "1.0.0"));

        operator.close();
        Deployment older = stable().edit(d -> {
            d.getMetadata().getAnnotations().remove(DesiredDeployment.TEMPLATE_REVISION);
            // as template revision 1 was: no public port (revision 3), readiness on http, and no response-id key,
            // which operators before template revision 2 did not mount
            var pod = d.getSpec().getTemplate().getSpec();
            var container = pod.getContainers().get(0);
            container
                    .getEnv()
                    .removeIf(e -> "FLEDGE_PUBLIC_PORT".equals(e.getName())
                            || "FLEDGE_FEEDBACK_SIGNING_KEY_FILE".equals(e.getName()));
            container.getPorts().removeIf(p -> "http-public".equals(p.getName()));
            container.getReadinessProbe().getHttpGet().setPort(new IntOrString("http"));
            container.getVolumeMounts().removeIf(m -> "fledge-feedback-key".equals(m.getName()));
            pod.getVolumes().removeIf(v -> "fledge-feedback-key".equals(v.getName()));
            return d;
        });
        PodTemplateSpec promoted = older.getSpec().getTemplate();
        ModelRelease threeReplicas = TestReleases.replicas(NS, "assistant", "1.0.0");
        threeReplicas.getSpec().setServer(new ServerSpec().withReplicas(3));
        scenario.apply(threeReplicas);
        operator = startOperator();

        await("stable at 3 replicas")
                .atMost(STEP_TIMEOUT)
                .until(() -> stable().get().getSpec().getReplicas() == 3);
        await().during(Duration.ofSeconds(2))
                .atMost(STEP_TIMEOUT)
                .untilAsserted(() -> assertThat(stable().get().getSpec().getTemplate())
                        .as("the template the older operator built")
                        .isEqualTo(promoted));

        ModelRelease next = TestReleases.replicas(NS, "assistant", "2.0.0");
        next.getSpec().setServer(new ServerSpec().withReplicas(3));
        scenario.apply(next);
        await("public 100").atMost(Duration.ofSeconds(60)).until(() -> {
            var s = scenario.view().release().getStatus();
            return "public".equals(s.getStage()) && Integer.valueOf(100).equals(s.getCanaryWeight());
        });
        kubelet.close(); // nothing gets ready any more: the promotion stays under way
        kubelet = null;
        await("promoting with the new template on stable")
                .atMost(STEP_TIMEOUT)
                .until(() -> envNames().containsAll(List.of("FLEDGE_PUBLIC_PORT", "FLEDGE_FEEDBACK_SIGNING_KEY_FILE"))
                        && "2.0.0"
                                .equals(stable().get()
                                        .getSpec()
                                        .getTemplate()
                                        .getMetadata()
                                        .getLabels()
                                        .get(Labels.VERSION)));

        UserEdits.edit(client.resources(ModelRelease.class).inNamespace(NS).withName("assistant"), mr -> {
            if (mr.getMetadata().getAnnotations() == null) {
                mr.getMetadata().setAnnotations(new HashMap<>());
            }
            mr.getMetadata().getAnnotations().put(Labels.ACTION, "abort");
            return mr;
        });

        await("rolled back")
                .atMost(STEP_TIMEOUT)
                .until(() -> scenario.view().release().getStatus().getPhase() == Phase.ROLLED_BACK);
        await("stable back in the older template")
                .atMost(STEP_TIMEOUT)
                .untilAsserted(
                        () -> assertThat(stable().get().getSpec().getTemplate()).isEqualTo(promoted));
        assertThat(stable().get().getMetadata().getAnnotations())
                .containsEntry(DesiredDeployment.TEMPLATE_REVISION, "");
    }

    /**
     * Issue 17: a release of another server ({@code spec.server.upstream}) keeps its stable pods across an operator
     * upgrade on a real API server, which fills in what the operator left out when it stores the Deployment (the mode
     * of a ConfigMap volume, the API version of a field reference, termination message and pull policy, protocols). On the old code the kept-template check refused any template of two containers: the upgraded
     * operator rebuilt stable, and every pod of the model restarted.
     */
    @Test
    void stableOfAnotherServerKeepsTheTemplateAnOlderOperatorBuilt() {
        new ClusterResources(client).ensureNamespace(NS);
        kubelet = new DeploymentReadiness(client, NS);
        operator = startOperator();
        RolloutScenario scenario = new RolloutScenario(client, NS, "chat", STEP_TIMEOUT);
        ModelRelease chat = TestReleases.replicas(NS, "chat", "1.0.0");
        chat.getSpec().getModel().setUri("pvc://llama-weights/chat/1.0.0");
        chat.getSpec()
                .setServer(new ServerSpec()
                        .withImage("vllm/vllm-openai:v0.9.1")
                        .withUpstream(new UpstreamSpec())
                        .withTemplate(new PodTemplateSpecBuilder()
                                .withNewSpec()
                                .addNewVolume()
                                .withName("chat-template")
                                .withNewConfigMap()
                                .withName("chat-template")
                                .endConfigMap()
                                .endVolume()
                                .addNewContainer()
                                .withName("model-server")
                                .withArgs("--model", "/var/run/fledge/model/chat/1.0.0", "--port", "8000")
                                .addNewEnv()
                                .withName("HF_HUB_OFFLINE")
                                .withValue("1")
                                .endEnv()
                                .addNewEnv()
                                .withName("POD_IP")
                                .withNewValueFrom()
                                .withNewFieldRef()
                                .withFieldPath("status.podIP")
                                .endFieldRef()
                                .endValueFrom()
                                .endEnv()
                                .withNewResources()
                                .addToLimits("nvidia.com/gpu", new Quantity("1"))
                                .addToLimits("memory", new Quantity("16Gi"))
                                .endResources()
                                .addNewVolumeMount()
                                .withName("chat-template")
                                .withMountPath("/templates")
                                .withReadOnly(true)
                                .endVolumeMount()
                                .endContainer()
                                .endSpec()
                                .build()));
        scenario.firstReleaseIsPromoted(chat);

        operator.close();
        Deployment older = client.apps()
                .deployments()
                .inNamespace(NS)
                .withName("chat-stable")
                .edit(d -> {
                    // as an older operator built it: no revision recorded, a lower download limit on the sidecar,
                    // which a rebuild would undo
                    d.getMetadata().getAnnotations().remove(DesiredDeployment.TEMPLATE_REVISION);
                    d.getSpec().getTemplate().getSpec().getContainers().stream()
                            .filter(c -> "fledge-proxy".equals(c.getName()))
                            .flatMap(c -> c.getEnv().stream())
                            .filter(e -> "FLEDGE_MODEL_MAX_DOWNLOAD_SIZE".equals(e.getName()))
                            .forEach(e -> e.setValue("1G"));
                    return d;
                });
        long generation = older.getMetadata().getGeneration();
        assertThat(older.getSpec().getTemplate().getSpec().getVolumes())
                .as("stored with what the API server fills in")
                .filteredOn(v -> "chat-template".equals(v.getName()))
                .singleElement()
                .satisfies(v -> assertThat(v.getConfigMap().getDefaultMode()).isEqualTo(420));
        PodTemplateSpec promoted = older.getSpec().getTemplate();
        operator = startOperator();

        await("StableTemplateKept").atMost(STEP_TIMEOUT).until(() -> {
            var conditions = scenario.view().release().getStatus().getConditions();
            return conditions != null
                    && conditions.stream()
                            .anyMatch(c -> "StableTemplateKept".equals(c.getType()) && "True".equals(c.getStatus()));
        });
        await().during(Duration.ofSeconds(2))
                .atMost(STEP_TIMEOUT)
                .untilAsserted(() -> assertThat(client.apps()
                                .deployments()
                                .inNamespace(NS)
                                .withName("chat-stable")
                                .get()
                                .getSpec()
                                .getTemplate())
                        .as("the two containers the older operator built")
                        .isEqualTo(promoted));
        Deployment now = client.apps()
                .deployments()
                .inNamespace(NS)
                .withName("chat-stable")
                .get();
        assertThat(now.getMetadata().getGeneration()).as("not rebuilt").isEqualTo(generation);
        assertThat(now.getMetadata().getAnnotations()).doesNotContainKey(DesiredDeployment.TEMPLATE_REVISION);
    }

    private InProcessOperator startOperator() {
        return InProcessOperator.watching(client, ProductionReconciler.withoutGates(client), NS);
    }

    private io.fabric8.kubernetes.client.dsl.RollableScalableResource<Deployment> stable() {
        return client.apps().deployments().inNamespace(NS).withName("assistant-stable");
    }

    private List<String> envNames() {
        return stable().get().getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .map(EnvVar::getName)
                .toList();
    }
}
