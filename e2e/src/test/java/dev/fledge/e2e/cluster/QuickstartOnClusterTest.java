package dev.fledge.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import dev.fledge.e2e.apiserver.RepoFiles;
import dev.fledge.e2e.rollout.Quickstart;
import dev.fledge.e2e.rollout.RolloutScenario;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The cluster tier: the README's "Quick start on a real cluster", literally, on the real single-node cluster of
 * {@code e2e/cluster/cluster.sh}. The chart is installed by helm-java ({@link ClusterChart}) with the images that
 * {@code e2e/cluster/images.sh} built and imported; the operator and the model servers run as pods. Then, as the
 * README says ({@link ReadmeQuickstart} reads its commands): the namespace, the ConfigMap of the committed model
 * archives ({@code examples/models/}), {@code examples/quickstart.yaml} unchanged, and the README's merge patch to
 * 2.0.0. Users only ever call the release's Service (its ClusterIP, through kube-proxy), one connection per request,
 * and every status and {@code X-Fledge-Model-Version} is counted. At stage closed the operator's pod is deleted
 * ({@link OperatorPodKiller}); the rollout must go on without a step repeated or skipped. Then, beyond the README, a
 * further version is aborted and retried through the {@code fledge.dev/action} annotation.
 *
 * <p>{@code make test} and {@code make cluster-test} run it ({@code make cluster-tier}): the test JVM runs inside the
 * node's network namespace ({@code e2e/cluster/netns-jvm/bin/java}). The modules' own test run excludes the tag.
 */
@Tag("cluster")
class QuickstartOnClusterTest {

    static final Path REPO = RepoFiles.repo();
    static final Duration STEP_TIMEOUT = Duration.ofMinutes(8);
    /** A merge patch's stages and analysis for the rollouts after the README's: 5 s where the README has 20 s. */
    static final String SHORT_STAGES = "\"stages\":[{\"name\":\"internal\",\"minDuration\":\"5s\"},"
            + "{\"name\":\"closed\",\"minDuration\":\"20s\"},"
            + "{\"name\":\"public\",\"steps\":[25,50,100],\"stepDuration\":\"5s\"}],"
            + "\"analysis\":{\"interval\":\"5s\"}";

    @Test
    void theReadmeQuickStartRollsOutWithRealPodsAndNoFailedRequest() throws Exception {
        String kubeconfig = ClusterChart.install();
        ReadmeQuickstart readme = ReadmeQuickstart.read(REPO);
        try (KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(kubeconfig))
                .build()) {
            operatorPodIsHardened(client);
            String ns = readme.namespace();
            ClusterChart.inNamespace(client, ns, () -> rollsOut(client, readme, ns)); // deleted pass or fail
        }
    }

    /** The README's rollout and the scenarios beyond it, in namespace {@code ns}. */
    void rollsOut(KubernetesClient client, ReadmeQuickstart readme, String ns) throws Exception {
        long t0;
        client.configMaps().inNamespace(ns).resource(modelsConfigMap(readme)).create();
        ModelRelease quickstart = Quickstart.load(client.getKubernetesSerialization(), REPO);
        assertThat(quickstart.getMetadata().getName()).isEqualTo(readme.release());
        var scenario = new RolloutScenario(client, ns, readme.release(), STEP_TIMEOUT);

        t0 = System.nanoTime();
        scenario.firstReleaseIsPromoted(quickstart);
        System.out.printf("cluster: 1.0.0 promoted in %d s%n", secondsSince(t0));
        ServiceSpec service = client.services()
                .inNamespace(ns)
                .withName(readme.release())
                .get()
                .getSpec();
        String vip = service.getClusterIP();
        int port = service.getPorts().get(0).getPort();
        assertThat(reachable(vip, port))
                .as("Service %s:%d answers on its ClusterIP", vip, port)
                .isTrue();
        modelPodsAreHardened(client, ns, readme.release());
        modelPodsUseTheImagesLibtorch(client, ns, readme.release());

        t0 = System.nanoTime();
        try (ServiceUsers users = new ServiceUsers("http://" + vip + ":" + port, 4, 5);
                // the internal and closed audiences on their Services, with the header their auth proxy sets
                ServiceUsers internal = audienceUsers(client, ns, readme.release(), "internal");
                ServiceUsers closed = audienceUsers(client, ns, readme.release(), "closed");
                // the operator pod is killed mid-rollout (kubectl delete pod), and the chart's Deployment brings
                // a new one: not a README step, but what an SRE expects to survive
                OperatorPodKiller killer = new OperatorPodKiller(client, ns, readme.release(), "closed")) {
            users.awaitFirstResponses(Duration.ofSeconds(60));
            internal.awaitFirstResponses(Duration.ofSeconds(60));
            closed.awaitFirstResponses(Duration.ofSeconds(60));
            scenario.replicasRolloutIsPromoted("2.0.0", () -> scenario.mergePatch(readme.patch()));
            Thread.sleep(3000); // the seconds after the promotion count too
            users.stop();
            internal.stop();
            closed.stop();
            System.out.printf(
                    "cluster: 2.0.0 promoted in %d s; public users: %s; internal: %s; closed: %s%n",
                    secondsSince(t0), users.summary(), internal.summary(), closed.summary());
            for (ServiceUsers u : List.of(users, internal, closed)) {
                noFailedRequest(u, "failed requests across the rollout");
            }
            assertThat(users.byVersion()).containsKeys("1.0.0", "2.0.0");
            AudienceShares.of(
                            killer.points(),
                            "2.0.0",
                            quickstart.getSpec().getServer().getReplicas())
                    .check(users, internal, closed);

            assertThat(killer.killedPodUid())
                    .as("the operator pod was deleted at stage closed")
                    .isNotNull();
            assertThat(OperatorPodKiller.operatorPods(client))
                    .as("the Deployment brought a new operator pod, Ready")
                    .singleElement()
                    .satisfies(p -> {
                        assertThat(p.getMetadata().getUid()).isNotEqualTo(killer.killedPodUid());
                        assertThat(p.getStatus().getConditions())
                                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
                    });
            assertThat(killer.publicWeights())
                    .as("each public step entered exactly once across the operator's restart")
                    .containsExactly(25, 50, 100);
            assertThat(scenario.view().release().getStatus().getHistory().stream()
                            .filter(h -> "2.0.0".equals(h.getVersion()))
                            .map(h -> h.getStage())
                            .toList())
                    .as("no stage repeated or skipped")
                    .doesNotHaveDuplicates()
                    .containsSubsequence("internal", "closed", "public");
        }
        modelPodsAreHardened(client, ns, readme.release());

        // Beyond the README: a further version is aborted at stage closed (fledge.dev/action=abort), everyone is
        // back on 2.0.0, then retried (fledge.dev/action=retry) and promoted; users on the Service throughout.
        // Its model is on a PersistentVolumeClaim (pvc://, issue 17 part 6), which the operator mounts read-only.
        t0 = System.nanoTime();
        ModelVolumeClaim claim = ModelVolumeClaim.create(
                client,
                ns,
                Path.of(System.getenv("FLEDGE_CLUSTER_DIR")),
                REPO.resolve("examples/models/v1.zip"),
                "assistant/2.1.0.zip");
        // Shorter stages than the README's (closed keeps its 20 s, time for the abort to land there): the README's
        // timings were walked through with 2.0.0, and this part is about the abort, the retry and the claim.
        String next = "{\"spec\":{\"model\":{\"version\":\"2.1.0\",\"uri\":\"" + claim.uri("assistant/2.1.0.zip")
                + "\",\"sha256\":\"" + sha256Of("examples/models/v1.zip") + "\"}," + SHORT_STAGES + "}}";
        try (ServiceUsers users = new ServiceUsers("http://" + vip + ":" + port, 4, 5)) {
            users.awaitFirstResponses(Duration.ofSeconds(60));
            scenario.abortedRolloutRollsBack("2.1.0", () -> scenario.mergePatch(next), false);
            System.out.printf("cluster: 2.1.0 aborted and rolled back in %d s%n", secondsSince(t0));
            scenario.retriedRolloutIsPromoted("2.1.0");
            users.stop();
            System.out.printf(
                    "cluster: 2.1.0 aborted, retried and promoted in %d s; users: %s%n",
                    secondsSince(t0), users.summary());
            noFailedRequest(users, "failed requests across the abort and the retry");
            assertThat(users.byVersion()).containsKeys("2.0.0", "2.1.0");
        }

        // A version whose archive does not match its sha256 (the claim's 2.1.0 archive under another digest): its
        // pods fail at start with the model server's message in their termination log, and the release says so
        // (condition CanaryNotReady) rather than only "waiting" until progressDeadline. Aborted; users never see
        // it.
        t0 = System.nanoTime();
        String wrongDigest = "{\"spec\":{\"model\":{\"version\":\"2.2.0\",\"uri\":\""
                + claim.uri("assistant/2.1.0.zip") + "\",\"sha256\":\"" + sha256Of("examples/models/v2.zip")
                + "\"}}}";
        try (ServiceUsers users = new ServiceUsers("http://" + vip + ":" + port, 2, 5)) {
            users.awaitFirstResponses(Duration.ofSeconds(60));
            scenario.canaryThatCannotStartIsExplainedAndAborted(
                    "2.2.0", () -> scenario.mergePatch(wrongDigest), "sha256 mismatch");
            users.stop();
            System.out.printf(
                    "cluster: 2.2.0 (wrong sha256) explained and aborted in %d s; users: %s%n",
                    secondsSince(t0), users.summary());
            noFailedRequest(users, "failed requests while 2.2.0 could not start");
            assertThat(users.byVersion()).containsOnlyKeys("2.1.0");
        }
        assertThat(client.pods()
                        .inNamespace(ns)
                        .withLabel(dev.fledge.api.Labels.VERSION, "2.1.0")
                        .list()
                        .getItems())
                .as("2.1.0 serves from its claim, mounted read-only")
                .isNotEmpty()
                .allSatisfy(p -> assertThat(p.getSpec().getVolumes())
                        .filteredOn(v -> v.getPersistentVolumeClaim() != null)
                        .singleElement()
                        .satisfies(v -> {
                            assertThat(v.getPersistentVolumeClaim().getClaimName())
                                    .isEqualTo(claim.claim());
                            assertThat(v.getPersistentVolumeClaim().getReadOnly())
                                    .isTrue();
                        }));
    }

    /**
     * None of the users' requests failed (they start once the Service serves), and at most {@link
     * ServiceUsers#CONNECT_RETRIES_ALLOWED} unanswered connects were tried again.
     */
    static void noFailedRequest(ServiceUsers users, String what) {
        assertThat(users.failed()).as("%s: %s", what, users.summary()).isZero();
        assertThat(users.connectRetries())
                .as("connects tried again")
                .hasSizeLessThanOrEqualTo(ServiceUsers.CONNECT_RETRIES_ALLOWED);
    }

    /** Users of an audience Service ({@code <release>-<audience>}), with the audience's header. */
    static ServiceUsers audienceUsers(KubernetesClient client, String ns, String release, String audience) {
        ServiceSpec s = client.services()
                .inNamespace(ns)
                .withName(release + "-" + audience)
                .get()
                .getSpec();
        return new ServiceUsers(
                "http://" + s.getClusterIP() + ":" + s.getPorts().get(0).getPort(), audience, 2, 5);
    }

    /** The digest committed beside an archive ({@code <archive>.sha256}, as {@code sha256sum} writes it). */
    static String sha256Of(String archive) throws Exception {
        return Files.readString(REPO.resolve(archive + ".sha256")).trim().split("\\s+")[0];
    }

    /** {@code kubectl create configmap NAME --from-file=F...}: each file under its own name, as binary data. */
    static ConfigMap modelsConfigMap(ReadmeQuickstart readme) throws Exception {
        ConfigMapBuilder cm = new ConfigMapBuilder()
                .withNewMetadata()
                .withName(readme.configMap())
                .endMetadata();
        for (String file : readme.modelFiles()) {
            Path path = REPO.resolve(file);
            cm.addToBinaryData(
                    path.getFileName().toString(), Base64.getEncoder().encodeToString(Files.readAllBytes(path)));
        }
        return cm.build();
    }

    /**
     * The chart's operator pod, running: non-root, read-only root filesystem, no privilege escalation, in each of its
     * containers; the chart's default prom-label-proxy beside the operator, ready.
     */
    static void operatorPodIsHardened(KubernetesClient client) {
        List<Pod> pods = OperatorPodKiller.operatorPods(client);
        assertThat(pods).isNotEmpty();
        assertThat(pods)
                .as("an operator pod with prom-label-proxy ready beside the operator")
                .anySatisfy(p -> assertThat(p.getStatus().getContainerStatuses())
                        .extracting(
                                io.fabric8.kubernetes.api.model.ContainerStatus::getName,
                                io.fabric8.kubernetes.api.model.ContainerStatus::getReady)
                        .contains(
                                org.assertj.core.groups.Tuple.tuple("prom-label-proxy", true),
                                org.assertj.core.groups.Tuple.tuple("operator", true)));
        for (Pod p : pods) {
            assertThat(p.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
            for (Container c : p.getSpec().getContainers()) {
                assertThat(c.getSecurityContext().getReadOnlyRootFilesystem())
                        .as(c.getName())
                        .isTrue();
                assertThat(c.getSecurityContext().getAllowPrivilegeEscalation())
                        .as(c.getName())
                        .isFalse();
            }
        }
    }

    /**
     * The model pods the operator made, running: non-root, a read-only root filesystem with an emptyDir at /tmp, no
     * capabilities, no privilege escalation, no service-account token (neither the field nor a mounted token).
     */
    static void modelPodsAreHardened(KubernetesClient client, String ns, String release) {
        List<Pod> pods = client.pods()
                .inNamespace(ns)
                .withLabel("fledge.dev/release", release)
                .list()
                .getItems();
        assertThat(pods).isNotEmpty();
        for (Pod p : pods) {
            assertThat(p.getSpec().getAutomountServiceAccountToken()).isFalse();
            assertThat(p.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
            Container c = p.getSpec().getContainers().get(0);
            assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
            assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
            assertThat(c.getVolumeMounts())
                    .filteredOn(m -> "/tmp".equals(m.getMountPath()))
                    .singleElement()
                    .satisfies(m -> assertThat(p.getSpec().getVolumes())
                            .filteredOn(v -> v.getName().equals(m.getName()))
                            .singleElement()
                            .satisfies(v -> assertThat(v.getEmptyDir()).isNotNull()));
            assertThat(c.getSecurityContext().getCapabilities().getDrop()).contains("ALL");
            assertThat(c.getVolumeMounts()).noneMatch(m -> m.getMountPath().startsWith("/var/run/secrets/kubernetes"));
        }
    }

    /**
     * Issue 16: the model-server image holds libtorch unpacked (DJL's {@code PYTORCH_LIBRARY_PATH}), so a model pod's
     * {@code /tmp} emptyDir, read on the node (the kubelet's root is in {@code FLEDGE_CLUSTER_DIR}), holds DJL's JNI
     * library only. Before, every pod start unpacked the native jar's ~430 MB of libtorch there.
     */
    static void modelPodsUseTheImagesLibtorch(KubernetesClient client, String ns, String release) throws Exception {
        Path pods = Path.of(System.getenv("FLEDGE_CLUSTER_DIR"), "kubelet", "pods");
        List<Pod> running =
                client.pods().inNamespace(ns).withLabel("fledge.dev/release", release).list().getItems().stream()
                        .filter(p -> p.getMetadata().getDeletionTimestamp() == null
                                && "Running".equals(p.getStatus().getPhase()))
                        .toList();
        assertThat(running).as("running model pods of %s", release).isNotEmpty();
        for (Pod p : running) {
            Container c = p.getSpec().getContainers().get(0);
            String scratch = c.getVolumeMounts().stream()
                    .filter(m -> "/tmp".equals(m.getMountPath()))
                    .findFirst()
                    .orElseThrow()
                    .getName();
            Path tmp = pods.resolve(p.getMetadata().getUid())
                    .resolve("volumes")
                    .resolve("kubernetes.io~empty-dir")
                    .resolve(scratch);
            List<String> natives;
            try (var files = Files.walk(tmp)) {
                natives = files.map(f -> f.getFileName().toString())
                        .filter(n -> n.endsWith(".so"))
                        .toList();
            }
            assertThat(natives)
                    .as(
                            "native libraries in the /tmp of %s (%s)",
                            p.getMetadata().getName(), tmp)
                    .anyMatch(n -> n.endsWith("libdjl_torch.so"))
                    .noneMatch(n -> n.startsWith("libtorch"));
        }
    }

    static boolean reachable(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 2000);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    static long secondsSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000_000L;
    }
}
