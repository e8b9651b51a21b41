package dev.fledge.operator.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.operator.gates.ConfiguredGates;
import dev.fledge.operator.workload.DesiredDeployment;
import dev.fledge.operator.workload.Workloads;
import dev.fledge.testsupport.DeploymentReadiness;
import dev.fledge.testsupport.FaultInjectingDispatcher;
import dev.fledge.testsupport.MockCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The cluster, operator and helpers of the stable-serving tests ({@link StableServingOnMockApiServerTest},
 * {@link StableServingAfterAnOperatorUpgradeOnMockApiServerTest}): before each test, release {@code assistant} is
 * promoted at 1.0.0 on {@link #OLD_IMAGE}. Two classes, so that the two halves run in two test JVMs side by side.
 */
abstract class StableServingFixture {
    static final String OLD_IMAGE = "fledge/model-server:0.1.0";
    static final String NEW_IMAGE = "fledge/model-server:0.2.0";

    final FaultInjectingDispatcher api = new FaultInjectingDispatcher();
    MockCluster cluster;
    KubernetesClient client;
    DeploymentReadiness kubelet;
    OperatorUnderTest operator;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster(api);
        client = cluster.client();
        Releases.createNamespace(client);
        kubelet = new DeploymentReadiness(client);
        operator = new OperatorUnderTest(client, new ConfiguredGates(Map.of()));
        client.resource(Releases.replicas("assistant", "1.0.0")).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED && "1.0.0".equals(s.getStableVersion()));
    }

    @AfterEach
    void stop() {
        operator.close();
        if (kubelet != null) {
            kubelet.close();
        }
        cluster.close();
    }

    /** 2.0.0 on NEW_IMAGE goes through every stage; then no Deployment gets ready, so promotion stays under way. */
    void promoting2WithNewImageThatNeverGetsReady() {
        edit(mr -> {
            setVersion(mr, "2.0.0");
            mr.getSpec().setServer(new ServerSpec().withImage(NEW_IMAGE));
        });
        awaitStatus(s -> "public".equals(s.getStage()) && s.getCanaryWeight() == 100);
        kubelet.close(); // no Deployment gets ready any more: promotion stays under way
        kubelet = null;
        awaitStatus(s -> "promoting".equals(s.getStage()));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> serving("assistant-stable").get(0).equals("2.0.0"));
    }

    /**
     * Stops the operator, leaves the stable Deployment as an older operator built it (no template revision recorded,
     * one of today's model-server limits missing from its env), applies {@code specChange}, and starts the operator
     * again. Returns the stable pod template as the older operator left it.
     */
    PodTemplateSpec upgradeFromAnOperatorWithAnOlderTemplate(Consumer<ModelRelease> specChange) {
        operator.close();
        Deployment older = Releases.asBuiltByAnOlderOperator(client, "assistant-stable");
        edit(specChange);
        operator = new OperatorUnderTest(client, new ConfiguredGates(Map.of()));
        return older.getSpec().getTemplate();
    }

    static Optional<Condition> templateKept(ModelReleaseStatus s) {
        return s.getConditions() == null
                ? Optional.empty()
                : s.getConditions().stream()
                        .filter(c -> Workloads.STABLE_TEMPLATE_KEPT.equals(c.getType()))
                        .filter(c -> "True".equals(c.getStatus()))
                        .findFirst();
    }

    List<String> envNames(String name) {
        return deployment(name).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .map(EnvVar::getName)
                .toList();
    }

    /**
     * Stops the operator, leaves the release as an operator from before status.stable and canaryConfigHash left it (no
     * recorded configuration, no hash annotation on the Deployments), applies {@code specChange}, and starts the
     * operator again: its first reconcile sees both.
     */
    void upgradeFromAnOperatorWithoutHashes(Consumer<ModelRelease> specChange) {
        operator.close();
        ModelRelease mr = current();
        mr.getStatus().setStable(null);
        mr.getStatus().setCanaryConfigHash(null);
        client.resources(ModelRelease.class)
                .inNamespace(Releases.NS)
                .resource(mr)
                .updateStatus();
        assertThat(current().getStatus().getStable()).isNull();
        for (String name : List.of("assistant-stable", "assistant-canary")) {
            if (deployment(name) != null) {
                client.apps()
                        .deployments()
                        .inNamespace(Releases.NS)
                        .withName(name)
                        .edit(d -> {
                            d.getMetadata().getAnnotations().remove(DesiredDeployment.CONFIG_HASH);
                            return d;
                        });
            }
        }
        edit(specChange);
        operator = new OperatorUnderTest(client, new ConfiguredGates(Map.of()));
    }

    void markReady(String name) {
        Deployment d = deployment(name);
        int replicas = d.getSpec().getReplicas();
        d.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder()
                .withReplicas(replicas)
                .withReadyReplicas(replicas)
                .withUpdatedReplicas(replicas)
                .withAvailableReplicas(replicas)
                .withObservedGeneration(d.getMetadata().getGeneration())
                .build());
        client.apps().deployments().inNamespace(Releases.NS).resource(d).updateStatus();
    }

    // --- helpers

    /** version label, FLEDGE_MODEL_URI and image of a Deployment's model container. */
    List<String> serving(String name) {
        Deployment d = deployment(name);
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        String uri = c.getEnv().stream()
                .filter(e -> "FLEDGE_MODEL_URI".equals(e.getName()))
                .findFirst()
                .orElseThrow()
                .getValue();
        return List.of(d.getSpec().getTemplate().getMetadata().getLabels().get(Labels.VERSION), uri, c.getImage());
    }

    static void setVersion(ModelRelease mr, String version) {
        mr.getSpec().getModel().setVersion(version);
        mr.getSpec().getModel().setUri("file:///models/" + version);
    }

    /** Edits the release, again on a conflict with a status write of the operator (409), as a user's retry would. */
    void edit(Consumer<ModelRelease> change) {
        Releases.edit(client, "assistant", change);
    }

    ModelRelease current() {
        return client.resources(ModelRelease.class)
                .inNamespace(Releases.NS)
                .withName("assistant")
                .get();
    }

    Deployment deployment(String name) {
        return client.apps()
                .deployments()
                .inNamespace(Releases.NS)
                .withName(name)
                .get();
    }

    ModelReleaseStatus awaitStatus(Predicate<ModelReleaseStatus> p) {
        return Releases.awaitStatus(client, "assistant", Duration.ofSeconds(30), p);
    }
}
