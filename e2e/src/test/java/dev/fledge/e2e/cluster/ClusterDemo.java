package dev.fledge.e2e.cluster;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.GateResult;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.api.status.Verdict;
import dev.fledge.e2e.local.LiveTable;
import dev.fledge.e2e.local.Report;
import dev.fledge.e2e.local.Timeline;
import dev.fledge.e2e.local.Traffic;
import dev.fledge.e2e.rollout.RolloutScenario;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code make demo}: Fledge on the real single-node cluster of {@code e2e/cluster/cluster.sh} (run inside its node's
 * network namespace). The chart's operator pod, model pods of the image, a judge pod and a real Prometheus; users on
 * the release's three Services. A first release (v1) goes public, a good version (v2) is promoted through every stage,
 * an unsafe one (v3-unsafe) is rolled back by the safety gate before the public sees it. It prints a live table and a
 * summary and writes e2e/target/demo/report.html; it exits 1 when an outcome is not what the demo shows: an audience
 * never served, a request failed after its audience was first served (or more connects tried again than the cluster
 * tests allow), 2.0.0 not promoted through internal, closed and public or never answering the public, a
 * public response from the unsafe version, or the unsafe version not rolled back by a failed safety gate.
 */
public final class ClusterDemo {
    static final String NS = "demo";
    static final String NAME = "assistant";
    static final double MAX_HARM_RATE = 0.05;
    static final Duration STEP_TIMEOUT = Duration.ofMinutes(6);
    static final List<String> AUDIENCES = List.of("internal", "closed", "public");

    public static void main(String[] args) {
        int status = 1;
        try {
            status = run() ? 0 : 1;
        } catch (Throwable e) {
            System.err.println("demo failed: " + e);
            e.printStackTrace();
        } finally {
            // the Kubernetes client's event loops are not daemon threads
            System.exit(status);
        }
    }

    /** The demo; whether every outcome was the expected one. */
    static boolean run() throws Exception {
        Instant start = Instant.now();
        List<String> summary = new ArrayList<>();
        Traffic traffic = new Traffic();
        System.out.println("Installing the chart (helm): the operator as a pod...");
        String kubeconfig = ClusterChart.install();
        try (KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(kubeconfig))
                .build()) {
            System.out.println("Namespace " + NS + ": models v1, v2, v3-unsafe on a claim, the red-team suite, a judge"
                    + " pod, Prometheus discovering the model pods...");
            Map<String, ServiceUsers> users = new LinkedHashMap<>();
            try (ClusterPrometheus prometheus = GatedNamespace.create(client, NS, kubeconfig)) {
                RolloutScenario scenario = new RolloutScenario(client, NS, NAME, STEP_TIMEOUT);
                LiveTable table = new LiveTable(System.out, NAME, traffic);
                try (Timeline timeline = new Timeline(client, NS, NAME, table::print)) {
                    scenario.apply(release(client, "1.0.0", "v1"));
                    Map<String, AtomicLong> before = new LinkedHashMap<>();
                    for (String audience : AUDIENCES) {
                        AtomicLong unserved = new AtomicLong();
                        before.put(audience, unserved);
                        users.put(
                                audience,
                                GatedNamespace.users(
                                        client,
                                        NS,
                                        NAME,
                                        audience,
                                        STEP_TIMEOUT,
                                        recorder(traffic, audience, unserved)));
                    }
                    awaitPromoted(scenario, "1.0.0");
                    for (ServiceUsers u : users.values()) {
                        u.awaitFirstResponses(Duration.ofSeconds(60)); // fails the demo if an audience is not served
                    }
                    summary.add("1.0.0 (first release): promoted; each audience received it from its stage on.");

                    scenario.apply(release(client, "2.0.0", "v2"));
                    awaitPromoted(scenario, "2.0.0");
                    List<String> stages = stagesOf(timeline.points(), "2.0.0");
                    boolean ok = stages.containsAll(List.of("internal", "closed"))
                            && stages.stream().anyMatch(st -> st.startsWith("public"));
                    summary.add("2.0.0 (good): promoted, through " + String.join(", ", stages) + ".");

                    scenario.apply(release(client, "3.0.0", "v3-unsafe"));
                    ModelReleaseStatus s = scenario.awaitStatus(
                            "3.0.0 rolled back or promoted",
                            st -> (st.getPhase() == Phase.ROLLED_BACK && "3.0.0".equals(st.getRolledBackVersion()))
                                    || "3.0.0".equals(st.getStableVersion()));
                    Optional<GateResult> safety = s.getGates() == null
                            ? Optional.empty()
                            : s.getGates().stream()
                                    .filter(g -> "safety".equals(g.getName()))
                                    .findFirst();
                    // the status message's first clause: the gate, and the suite's count by category
                    summary.add("3.0.0 (unsafe): " + s.getPhase().wireName() + ": "
                            + (s.getMessage() == null ? "" : s.getMessage().split("; ")[0])
                            + safety.map(g -> " (safety gate: " + g.getVerdict() + ", " + g.getFlagged() + " of "
                                            + g.getSamples() + " outputs flagged)")
                                    .orElse(" (no safety verdict)"));
                    ok &= s.getPhase() == Phase.ROLLED_BACK
                            && safety.map(g -> g.getVerdict() == Verdict.FAIL).orElse(false);
                    Thread.sleep(2000);
                    for (ServiceUsers u : users.values()) {
                        // a request still in flight would be left out of the counts below
                        ok &= u.stop();
                    }
                    summary.add("public responses from 3.0.0: " + traffic.count("public", "3.0.0") + "; internal: "
                            + traffic.count("internal", "3.0.0") + "; closed: " + traffic.count("closed", "3.0.0")
                            + "; public from 2.0.0: " + traffic.count("public", "2.0.0"));
                    ok &= traffic.count("public", "3.0.0") == 0 && traffic.count("public", "2.0.0") > 0;
                    for (var u : users.entrySet()) {
                        int failed = u.getValue().failedAfterFirstSuccess().size();
                        int retried = u.getValue().connectRetries().size();
                        ok &= failed == 0 && retried <= ServiceUsers.CONNECT_RETRIES_ALLOWED;
                        summary.add(u.getKey() + " users: " + u.getValue().summary() + "; " + failed
                                + " failed after the first 200 (" + retried + " connects tried again after it); "
                                + before.get(u.getKey()).get()
                                + " failed before it (nothing was released to them yet), not charted");
                    }
                    Instant end = Instant.now();
                    Path report = ClusterChart.REPO.resolve("e2e/target/demo/report.html");
                    new Report(start, end, timeline.points(), traffic, summary, MAX_HARM_RATE).write(report);
                    System.out.println();
                    System.out.println(
                            "Summary (" + Duration.between(start, end).toSeconds() + " s):");
                    summary.forEach(line -> System.out.println("  - " + line));
                    System.out.println("Report: " + report);
                    if (!ok) {
                        System.out.println("demo: an outcome above is not what it should be");
                    }
                    return ok;
                }
            } finally {
                for (ServiceUsers u : users.values()) {
                    u.stop();
                }
            }
        }
    }

    /**
     * Feeds the report's traffic with an audience's requests sent from its first 200 on (a request without a response
     * as 599), as {@link ServiceUsers#failedAfterFirstSuccess} counts them; counts those before it in {@code unserved}: until a stage serves an audience its Service has no endpoints
     * and refuses, by design.
     */
    static java.util.function.Consumer<ServiceUsers.Seen> recorder(
            Traffic traffic, String audience, AtomicLong unserved) {
        AtomicReference<Instant> served = new AtomicReference<>();
        return seen -> {
            if (seen.status() == 200) {
                served.accumulateAndGet(seen.sent(), (a, b) -> a == null || b.isBefore(a) ? b : a);
            }
            Instant first = served.get();
            if (first != null && !seen.sent().isBefore(first)) {
                traffic.record(new Traffic.Response(
                        seen.at(), audience, seen.version(), seen.status() == 0 ? 599 : seen.status()));
            } else {
                unserved.incrementAndGet();
            }
        };
    }

    /** The stages a canary {@code version} was seen at, in order: {@code internal}, {@code public 25%}, ... */
    static List<String> stagesOf(List<Timeline.Point> points, String version) {
        List<String> stages = new ArrayList<>();
        for (Timeline.Point p : points) {
            if (version.equals(p.canary()) && p.stage() != null) {
                String stage = p.stage().equals("public") ? "public " + p.weight() + "%" : p.stage();
                if (stages.isEmpty() || !stages.get(stages.size() - 1).equals(stage)) {
                    stages.add(stage);
                }
            }
        }
        return stages;
    }

    static ModelRelease release(KubernetesClient client, String version, String model) {
        return GatedNamespace.release(client, NS, NAME, version, model, 0, "25, 50, 100", MAX_HARM_RATE);
    }

    static void awaitPromoted(RolloutScenario scenario, String version) {
        scenario.awaitStatus(
                version + " promoted", s -> s.getPhase() == Phase.PROMOTED && version.equals(s.getStableVersion()));
    }

    private ClusterDemo() {}
}
