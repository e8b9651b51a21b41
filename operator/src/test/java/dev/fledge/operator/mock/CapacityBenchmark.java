package dev.fledge.operator.mock;

import static org.awaitility.Awaitility.await;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.operator.gates.ConfiguredGates;
import dev.fledge.operator.workload.TrackCapacities;
import dev.fledge.testsupport.DeploymentReadiness;
import dev.fledge.testsupport.MockCluster;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * {@code make bench-capacity}: peak pods and GPUs while a release of 4 replicas with 8 GPUs a pod rolls out, is
 * promoted, or is rolled back (abort) at 50% and at 100%, by default, with {@code server.canary.matchTrafficWeight},
 * and with {@code server.dynamicStableScale}. The real operator ({@code ModelReleaseReconciler} under JOSDK, its
 * Handover, routers and Capacity) runs on the Fabric8 mock API server; a stand-in kubelet
 * ({@link DeploymentReadiness}) reports every Deployment ready at its replicas at once. So "pods" are the Deployments'
 * replicas as the API server holds them (spec, or ready ones while more), watched event by event: no real pods, no
 * scheduler, no terminating pods. Not a test: it runs only when named ({@code -Dtest=CapacityBenchmark}) and writes
 * {@code target/bench-capacity.txt}.
 */
class CapacityBenchmark {
    static final int REPLICAS = 4;
    static final int GPUS_PER_POD = 8;

    enum Mode {
        DEFAULT("default (canary at replicas)"),
        MATCH("canary.matchTrafficWeight"),
        DYNAMIC("matchTrafficWeight + dynamicStableScale");

        final String label;

        Mode(String label) {
            this.label = label;
        }

        ServerSpec server() {
            ServerSpec s = CanaryCapacityFixture.gpuServer(this == DYNAMIC);
            s.getTemplate()
                    .getSpec()
                    .getContainers()
                    .get(0)
                    .getResources()
                    .setLimits(Map.of("nvidia.com/gpu", new Quantity(String.valueOf(GPUS_PER_POD))));
            if (this == DEFAULT) {
                s.setCanary(null);
            }
            return s;
        }
    }

    record Peak(int pods, long gpus) {
        @Override
        public String toString() {
            return pods + " pods / " + gpus + " GPUs";
        }
    }

    @Test
    void report() throws Exception {
        long gpusPerPod = TrackCapacities.gpusPerPod(Mode.DYNAMIC.server().getTemplate());
        List<String> lines = new ArrayList<>();
        lines.add("bench-capacity: the real operator (ModelReleaseReconciler under JOSDK: Handover, GatewayApiRouter,"
                + " Capacity) on the Fabric8 mock API server.");
        lines.add("  Pods are the Deployments' replicas as the API server holds them (spec, or ready while more),"
                + " every watch event; a stand-in kubelet");
        lines.add("  makes each Deployment ready at once: no real pods, scheduler or terminating pods.");
        lines.add("  Release: replicas " + REPLICAS + ", " + gpusPerPod
                + " nvidia.com/gpu a pod (from the pod template), gatewayAPI router, public steps 5/25/50/100.");
        lines.add("");
        lines.add(String.format(
                "%-42s %-20s %-20s %-20s", "mode", "rollout+promotion", "rollback at 50%", "rollback at 100%"));
        Map<Mode, List<Peak>> peaks = new HashMap<>();
        for (Mode mode : Mode.values()) {
            List<Peak> row = new ArrayList<>();
            row.add(run(mode, List.of(5, 25, 50, 100), "2s", false, gpusPerPod));
            row.add(run(mode, List.of(50, 100), "1h", true, gpusPerPod));
            row.add(run(mode, List.of(100), "1h", true, gpusPerPod));
            peaks.put(mode, row);
            lines.add(String.format("%-42s %-20s %-20s %-20s", mode.label, row.get(0), row.get(1), row.get(2)));
        }
        lines.add("");
        List<Peak> dynamic = peaks.get(Mode.DYNAMIC);
        int goal = REPLICAS + 1;
        lines.add("goal: peak <= replicas + 1 (" + goal + " pods, " + goal * gpusPerPod
                + " GPUs) with dynamicStableScale, through the stages and the promotion: "
                + (dynamic.get(0).pods() <= goal ? "MET" : "NOT MET") + " (" + dynamic.get(0) + ")");
        boolean rollbacks = dynamic.get(1).pods() <= goal && dynamic.get(2).pods() <= goal;
        lines.add("goal: the same including a rollback: " + (rollbacks ? "MET" : "NOT MET") + " (" + dynamic.get(1)
                + " at 50%, " + dynamic.get(2) + " at 100%: a rollback keeps the canary's pods and weight until"
                + " stable is back at replicas and ready)");
        String report = String.join("\n", lines) + "\n";
        System.out.println(report);
        Files.writeString(Path.of("target", "bench-capacity.txt"), report);
    }

    /** One release through one run; the peak of stable + canary pods after the first version was promoted. */
    Peak run(Mode mode, List<Integer> steps, String stepDuration, boolean abort, long gpusPerPod) throws Exception {
        try (MockCluster cluster = new MockCluster()) {
            KubernetesClient client = cluster.client();
            Releases.createNamespace(client);
            client.resource(RolloutOnMockApiServerTest.gateway("public-gw")).create();
            try (DeploymentReadiness kubelet = new DeploymentReadiness(client);
                    OperatorUnderTest operator = new OperatorUnderTest(client, new ConfiguredGates(Map.of()))) {
                ModelRelease mr = Releases.gatewayApi("assistant", "1.0.0");
                mr.getSpec().setServer(mode.server());
                client.resource(mr).create();
                awaitStatus(client, s -> s.getPhase() == Phase.PROMOTED && "1.0.0".equals(s.getStableVersion()));
                await().atMost(Duration.ofSeconds(30)).until(() -> replicas(client, "assistant-canary") == 0);
                Map<String, Integer> pods = new ConcurrentHashMap<>();
                int[] peak = {0};
                Watch watch = client.apps()
                        .deployments()
                        .inNamespace(Releases.NS)
                        .watch(new Watcher<>() {
                            @Override
                            public void eventReceived(Action action, Deployment d) {
                                int spec = d.getSpec().getReplicas() == null
                                        ? 1
                                        : d.getSpec().getReplicas();
                                int ready =
                                        d.getStatus() == null || d.getStatus().getReadyReplicas() == null
                                                ? 0
                                                : d.getStatus().getReadyReplicas();
                                pods.put(d.getMetadata().getName(), Math.max(spec, ready));
                                synchronized (peak) {
                                    peak[0] = Math.max(
                                            peak[0],
                                            pods.values().stream()
                                                    .mapToInt(i -> i)
                                                    .sum());
                                }
                            }

                            @Override
                            public void onClose(WatcherException cause) {}
                        });
                try {
                    edit(client, r -> {
                        r.getSpec().getModel().setVersion("2.0.0");
                        r.getSpec().getModel().setUri("file:///models/2.0.0");
                        r.getSpec().getStages().get(2).setSteps(steps);
                        r.getSpec().getStages().get(2).setStepDuration(stepDuration);
                    });
                    if (abort) {
                        awaitStatus(
                                client,
                                s -> "public".equals(s.getStage())
                                        && s.getCanaryWeight() == steps.get(0)
                                        && s.getCanaryHeldWeight() == null);
                        Thread.sleep(1000); // the step's sizes settle
                        edit(client, r -> r.getMetadata().getAnnotations().put(Labels.ACTION, "abort"));
                        awaitStatus(client, s -> s.getPhase() == Phase.ROLLED_BACK);
                    } else {
                        awaitStatus(
                                client, s -> s.getPhase() == Phase.PROMOTED && "2.0.0".equals(s.getStableVersion()));
                    }
                    await().atMost(Duration.ofSeconds(60)).until(() -> replicas(client, "assistant-canary") == 0);
                    Thread.sleep(500);
                } finally {
                    watch.close();
                }
                synchronized (peak) {
                    return new Peak(peak[0], peak[0] * gpusPerPod);
                }
            }
        }
    }

    static int replicas(KubernetesClient client, String name) {
        Deployment d = client.apps()
                .deployments()
                .inNamespace(Releases.NS)
                .withName(name)
                .get();
        return d == null ? 0 : d.getSpec().getReplicas();
    }

    /** How long a whole rollout with the promotion's hand-over, pod by pod, may take. */
    static final Duration STATUS_TIMEOUT = Duration.ofSeconds(90);

    static ModelReleaseStatus awaitStatus(KubernetesClient client, Predicate<ModelReleaseStatus> p) {
        return Releases.awaitStatus(client, "assistant", STATUS_TIMEOUT, p);
    }

    static void edit(KubernetesClient client, Consumer<ModelRelease> change) {
        Releases.edit(client, "assistant", change);
    }
}
