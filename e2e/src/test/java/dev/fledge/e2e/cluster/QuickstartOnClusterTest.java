package dev.fledge.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.marcnuri.helm.Helm;
import dev.fledge.api.ModelRelease;
import dev.fledge.e2e.apiserver.RepoFiles;
import dev.fledge.e2e.rollout.Quickstart;
import dev.fledge.e2e.rollout.RolloutScenario;
import dev.fledge.testsupport.FledgeChart;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.HostPathVolumeSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The cluster tier: {@code examples/quickstart.yaml} from 1.0.0 to 2.0.0 on the real single-node
 * cluster of {@code e2e/cluster/cluster.sh}, with the chart installed by helm-java, the operator
 * and the model servers as pods of the images built by {@code e2e/cluster/images.sh}, and users
 * that only ever call the release's Service (its ClusterIP, through kube-proxy), counting every
 * status.
 *
 * <p>Run it with {@code make cluster-test}: the test JVM runs inside the node's network namespace
 * ({@code e2e/cluster/netns-jvm/bin/java}). Anywhere else it is skipped.
 */
@Tag("cluster")
class QuickstartOnClusterTest {

    static final Path REPO = RepoFiles.repo();
    static final Path FIXTURE_MODELS = REPO.resolve("model-server/target/fixtures/models");
    static final String NAMESPACE = "default";
    static final String RELEASE = "assistant";

    @Test
    void quickstartRollsOutWithRealPodsAndNoFailedRequest() throws Exception {
        String kubeconfigPath = System.getenv("KUBECONFIG");
        String clusterDir = System.getenv("FLEDGE_CLUSTER_DIR");
        assumeTrue(
                kubeconfigPath != null && clusterDir != null && Files.exists(Path.of(clusterDir, "ready")),
                "no cluster of e2e/cluster/cluster.sh: run make cluster-test");
        assumeTrue(System.getenv("FLEDGE_NETNS_PATH") != null, "not inside the node's network namespace");
        for (String module : List.of("operator", "model-server")) {
            assumeTrue(
                    Files.isRegularFile(REPO.resolve(module + "/target/jib-image.tar")),
                    module + " image missing: run make images");
        }
        assumeTrue(Files.isDirectory(FIXTURE_MODELS.resolve("v1")), "run make model-fixtures first");
        String kubeconfig = Files.readString(Path.of(kubeconfigPath));

        long t0 = System.nanoTime();
        var install = new Helm(REPO.resolve("helm/fledge"))
                .install()
                .withKubeConfigContents(kubeconfig)
                .withName(FledgeChart.RELEASE)
                .withNamespace("fledge-system")
                .createNamespace()
                .waitReady()
                .withTimeout(300);
        FledgeChart.K3S_VALUES.forEach(install::set);
        install.call();
        System.out.printf("cluster: chart installed, operator pod ready in %d s%n", secondsSince(t0));

        try (KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(kubeconfig))
                .build()) {
            var json = client.getKubernetesSerialization();
            String second = Files.isDirectory(FIXTURE_MODELS.resolve("v2")) ? "v2" : "v1";
            var scenario = new RolloutScenario(client, NAMESPACE, RELEASE, Duration.ofMinutes(8));

            t0 = System.nanoTime();
            scenario.firstReleaseIsPromoted(hardened(Quickstart.at(json, REPO, "1.0.0", "v1")));
            System.out.printf("cluster: 1.0.0 promoted in %d s%n", secondsSince(t0));
            String vip = client.services()
                    .inNamespace(NAMESPACE)
                    .withName(RELEASE)
                    .get()
                    .getSpec()
                    .getClusterIP();
            assertThat(reachable(vip, 8080))
                    .as("Service %s answers on its ClusterIP", vip)
                    .isTrue();
            podSecurityHolds(client);

            t0 = System.nanoTime();
            try (ServiceUsers users = new ServiceUsers("http://" + vip + ":8080", 4, 5)) {
                users.awaitFirstResponses(Duration.ofSeconds(60));
                scenario.replicasRolloutIsPromoted(hardened(Quickstart.at(json, REPO, "2.0.0", second)));
                users.stop();
                System.out.printf("cluster: 2.0.0 promoted in %d s; users: %s%n", secondsSince(t0), users.summary());
                assertThat(users.failed())
                        .as("failed requests across the rollout: %s", users.summary())
                        .isZero();
                assertThat(users.byVersion()).containsKeys("1.0.0", "2.0.0");
            }
            podSecurityHolds(client);
        }
    }

    /**
     * The release's pod template hardened as the chart hardens the operator: non-root, read-only
     * root filesystem, no capabilities, no service-account token; DJL's cache (libtorch unpacked at
     * start) and Quarkus' temporary files on an emptyDir at /tmp; the fixture models from this
     * repository's build directory, read-only (the node's filesystem is this machine's).
     */
    static ModelRelease hardened(ModelRelease mr) {
        PodSpec spec = mr.getSpec().getServer().getTemplate().getSpec();
        spec.setAutomountServiceAccountToken(false);
        PodSecurityContext podSecurity = new PodSecurityContext();
        podSecurity.setRunAsNonRoot(true);
        podSecurity.setRunAsUser(10001L);
        podSecurity.setRunAsGroup(10001L);
        podSecurity.setFsGroup(10001L);
        spec.setSecurityContext(podSecurity);
        for (Volume v : spec.getVolumes()) {
            if ("models".equals(v.getName())) {
                v.setHostPath(new HostPathVolumeSource(FIXTURE_MODELS.toString(), "Directory"));
            }
        }
        Volume tmp = new Volume();
        tmp.setName("tmp");
        tmp.setEmptyDir(new EmptyDirVolumeSource(null, null));
        spec.getVolumes().add(tmp);
        Container c = spec.getContainers().get(0);
        VolumeMount tmpMount = new VolumeMount();
        tmpMount.setName("tmp");
        tmpMount.setMountPath("/tmp");
        c.getVolumeMounts().add(tmpMount);
        SecurityContext sc = new SecurityContext();
        sc.setReadOnlyRootFilesystem(true);
        sc.setAllowPrivilegeEscalation(false);
        sc.setCapabilities(new Capabilities(null, List.of("ALL")));
        c.setSecurityContext(sc);
        // No startup probe and no preStop sleep here: the operator sets both on every model pod (a startup probe on
        // the readiness endpoint, up to 10 minutes; a 5 s preStop sleep). Without the sleep, 10 of 3269 requests
        // failed across the rollout: kube-proxy still sent new connections to a pod that had got SIGTERM.
        return mr;
    }

    /** On the running pods, not in the template: non-root, read-only root, no token. */
    static void podSecurityHolds(KubernetesClient client) {
        List<Pod> pods = client.pods()
                .inNamespace(NAMESPACE)
                .withLabel("fledge.dev/release", RELEASE)
                .list()
                .getItems();
        assertThat(pods).isNotEmpty();
        for (Pod p : pods) {
            assertThat(p.getSpec().getAutomountServiceAccountToken()).isFalse();
            assertThat(p.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
            Container c = p.getSpec().getContainers().get(0);
            assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
            assertThat(c.getVolumeMounts()).noneMatch(m -> m.getMountPath().startsWith("/var/run/secrets"));
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
