package dev.fledge.e2e.k3s;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.marcnuri.helm.Helm;
import dev.fledge.e2e.apiserver.RepoFiles;
import dev.fledge.e2e.rollout.Quickstart;
import dev.fledge.e2e.rollout.RolloutScenario;
import dev.fledge.testsupport.FledgeChart;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The k3s tier: a real cluster with real pods. The chart is installed by helm-java (CRDs
 * included), the operator and model-server images are loaded from Jib tars, and {@code
 * examples/quickstart.yaml} goes from 1.0.0 to 2.0.0 with the replicas router, through the very
 * scenario and assertions of the real-API-server tier ({@link RolloutScenario}).
 *
 * <p>Run it with {@code e2e/k3s/run-k3s-suite.sh} (Docker, and the internet for the k3s and
 * base images). Where no Docker engine runs it is skipped.
 */
@Tag("k3s")
@Testcontainers(disabledWithoutDocker = true)
class QuickstartOnK3sTest {

    static final String K3S_IMAGE = System.getProperty("fledge.k3s.image", "rancher/k3s:v1.34.1-k3s1");
    static final Path REPO = RepoFiles.repo();
    static final List<Path> IMAGE_TARS =
            List.of(REPO.resolve("operator/target/jib-image.tar"), REPO.resolve("model-server/target/jib-image.tar"));
    static final Path FIXTURE_MODELS = REPO.resolve("model-server/target/fixtures/models");

    @Container
    static final K3sContainer K3S =
            new K3sContainer(DockerImageName.parse(K3S_IMAGE).asCompatibleSubstituteFor("rancher/k3s"));

    @Test
    void quickstartRollsOutWithRealPodsThroughEveryStageToPromoted() throws Exception {
        for (Path tar : IMAGE_TARS) {
            assumeTrue(Files.isRegularFile(tar), tar + " missing: run e2e/k3s/run-k3s-suite.sh");
        }
        assumeTrue(Files.isDirectory(FIXTURE_MODELS.resolve("v1")), "run make model-fixtures first");
        for (Path tar : IMAGE_TARS) {
            K3S.copyFileToContainer(MountableFile.forHostPath(tar), "/tmp/image.tar");
            ExecResult r = K3S.execInContainer("ctr", "-n", "k8s.io", "images", "import", "/tmp/image.tar");
            if (r.getExitCode() != 0) {
                throw new IllegalStateException("ctr import " + tar + ": " + r.getStderr());
            }
        }
        K3S.copyFileToContainer(MountableFile.forHostPath(FIXTURE_MODELS), Quickstart.NODE_MODELS_DIR);

        String kubeconfig = K3S.getKubeConfigYaml();
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

        try (KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(kubeconfig))
                .build()) {
            var json = client.getKubernetesSerialization();
            String second = Files.isDirectory(FIXTURE_MODELS.resolve("v2")) ? "v2" : "v1";
            var scenario = new RolloutScenario(client, "default", "assistant", Duration.ofMinutes(5));
            scenario.firstReleaseIsPromoted(Quickstart.at(json, REPO, "1.0.0", "v1"));
            scenario.replicasRolloutIsPromoted(Quickstart.at(json, REPO, "2.0.0", second));
            scenario.everythingWasServerSideApplied();
        }
    }
}
