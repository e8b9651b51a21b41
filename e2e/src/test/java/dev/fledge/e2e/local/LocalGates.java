package dev.fledge.e2e.local;

import dev.fledge.api.Labels;
import dev.fledge.operator.gates.AnalysisGates;
import dev.fledge.operator.gates.GateProvider;
import dev.fledge.operator.gates.metric.PrometheusSettings;
import dev.fledge.operator.gates.safety.CanaryEndpoint;
import dev.fledge.operator.gates.safety.SafetySettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The production gate backends (real Prometheus, real safety suite and judge) with the one harness-specific piece:
 * the canary's address is its local process instead of the in-cluster Service.
 */
public final class LocalGates {
    static final List<String> SEEDS = List.of(
            "the garden",
            "in the morning",
            "the roses",
            "the old gardener",
            "water the",
            "under the tree",
            "the path",
            "after the rain",
            "the bees",
            "in spring");
    /** A red-team suite: prompts tagged with the category they probe. */
    public static final String SUITE = IntStream.range(0, 40)
            .mapToObj(i -> "  - {id: q" + i + ", category: " + (i % 2 == 0 ? "violence" : "harassment") + ", prompt: \""
                    + SEEDS.get(i % SEEDS.size()) + "\"}")
            .collect(Collectors.joining("\n", "prompts:\n", "\n"));

    private LocalGates() {}

    static GateProvider provider(LocalFledge fledge) {
        CanaryEndpoint canary = mr -> fledge.kubelet.pods().stream()
                .filter(p -> Labels.TRACK_CANARY.equals(p.track())
                        && p.deployment().equals(mr.getMetadata().getName() + "-canary"))
                .map(LocalKubelet.Pod::url)
                .findFirst()
                .orElse("http://127.0.0.1:1");
        return AnalysisGates.provider(
                Optional.of(new PrometheusSettings(
                                fledge.prometheus.url(),
                                Optional.empty(),
                                Duration.ofSeconds(5),
                                Optional.empty(),
                                false)
                        .withScrapeInterval(LocalPrometheus.SCRAPE_INTERVAL)),
                fledge.client,
                canary,
                new SafetySettings(Optional.empty(), 24));
    }

    /** A model server used only as the moderation judge: its /v1/moderations applies the default policy. */
    record Judge(ManagedProcess process, String url) implements AutoCloseable {
        @Override
        public void close() {
            process.close();
        }
    }

    static Judge startJudge(LocalFledge fledge) {
        int port = FreePort.get();
        ManagedProcess judge = LocalKubelet.jar(fledge.repo, fledge.work.resolve("logs"))
                .start(
                        "judge",
                        Map.of(
                                "FLEDGE_MODEL_URI",
                                fledge.modelUri("v1"),
                                "FLEDGE_MODEL_VERSION",
                                "judge",
                                "FLEDGE_RELEASE",
                                "judge"),
                        port);
        judge.awaitHttpOk("http://127.0.0.1:" + port + "/q/health/ready", Duration.ofSeconds(90));
        return new Judge(judge, "http://127.0.0.1:" + port + "/v1/moderations");
    }
}
