package dev.fledge.operator.gates;

import dev.fledge.operator.gates.feedback.FeedbackGates;
import dev.fledge.operator.gates.metric.BudgetedMetrics;
import dev.fledge.operator.gates.metric.HttpPrometheus;
import dev.fledge.operator.gates.metric.MetricGate;
import dev.fledge.operator.gates.metric.MetricGates;
import dev.fledge.operator.gates.metric.MetricsBackend;
import dev.fledge.operator.gates.metric.PrometheusSettings;
import dev.fledge.operator.gates.metric.QueryBudget;
import dev.fledge.operator.gates.safety.CanaryEndpoint;
import dev.fledge.operator.gates.safety.ConfigMapSafetyReports;
import dev.fledge.operator.gates.safety.ConfigMapSuites;
import dev.fledge.operator.gates.safety.FairSuiteExecutor;
import dev.fledge.operator.gates.safety.HttpCanaryModel;
import dev.fledge.operator.gates.safety.Judges;
import dev.fledge.operator.gates.safety.LiveReader;
import dev.fledge.operator.gates.safety.SafetyGate;
import dev.fledge.operator.gates.safety.SafetyGates;
import dev.fledge.operator.gates.safety.SafetySettings;
import dev.fledge.operator.gates.safety.SuiteConcurrency;
import dev.fledge.operator.http.BoundedHttp;
import dev.fledge.operator.workload.Applier;
import dev.fledge.operator.workload.ServerDefaults;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The gate backends of the operator, from its settings: Prometheus for metric, online-safety and feedback gates;
 * the canary's Service and the judges (moderation or llamaGuard) for the safety suite. A kind whose backend is not configured stays an
 * {@link UnavailableGate} (Inconclusive, never a pass).
 */
public final class AnalysisGates {
    /** Connection timeout of the shared client; each request's own deadline bounds the whole exchange. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private AnalysisGates() {}

    /** With a client of its own (tests: one provider, one client). */
    public static GateProvider provider(
            Optional<PrometheusSettings> prometheus,
            KubernetesClient client,
            ServerDefaults defaults,
            SafetySettings safety) {
        return provider(prometheus, client, CanaryEndpoint.clusterService(defaults), safety);
    }

    /** {@code http}: the operator's one client for canaries and judges ({@link BoundedHttp#newClient}). */
    public static GateProvider provider(
            Optional<PrometheusSettings> prometheus,
            KubernetesClient client,
            ServerDefaults defaults,
            SafetySettings safety,
            HttpClient http) {
        return provider(prometheus, client, CanaryEndpoint.clusterService(defaults), safety, http);
    }

    /** As above, with a client of its own (tests and the local harness: one provider, one client). */
    public static GateProvider provider(
            Optional<PrometheusSettings> prometheus,
            KubernetesClient client,
            CanaryEndpoint canary,
            SafetySettings safety) {
        return provider(prometheus, client, canary, safety, BoundedHttp.newClient(CONNECT_TIMEOUT));
    }

    /**
     * As above, with the one place where the canary's in-cluster Service address is replaced (the local
     * end-to-end harness runs the canary as a process on a loopback port).
     */
    public static GateProvider provider(
            Optional<PrometheusSettings> prometheus,
            KubernetesClient client,
            CanaryEndpoint canary,
            SafetySettings safety,
            HttpClient http) {
        return provider(prometheus, QueryBudget.standard(), client, canary, safety, http);
    }

    /** As above, with each namespace's share of Prometheus ({@link BudgetedMetrics}). */
    public static GateProvider provider(
            Optional<PrometheusSettings> prometheus,
            QueryBudget budget,
            KubernetesClient client,
            CanaryEndpoint canary,
            SafetySettings safety,
            HttpClient http) {
        Optional<MetricsBackend> metrics = prometheus.map(p -> new BudgetedMetrics(new HttpPrometheus(p), budget));
        GateWakeups wakeups = new GateWakeups();
        SuiteConcurrency suites = safety.suites();
        FairSuiteExecutor executor = new FairSuiteExecutor(
                suites.maxRunning(), suites.perNamespace(), suites.maxDuration(), Clock.systemUTC(), wakeups::wake);
        DeferredReads reads = new DeferredReads(
                new FairWorkers(budget.readers(), budget.readersPerNamespace(), "fledge-prometheus-read"),
                Clock.systemUTC(),
                wakeups::wake,
                budget.answerWait());
        Map<String, ConfiguredGates.Factory> factories = new HashMap<>();
        metrics.ifPresent(m -> factories.put(MetricGate.KIND, deferred(MetricGate.KIND, new MetricGates(m), reads)));
        metrics.ifPresent(
                m -> factories.put(FeedbackGates.KIND, deferred(FeedbackGates.KIND, new FeedbackGates(m), reads)));
        factories.put(
                SafetyGate.KIND,
                new SafetyGates(new SafetyGate.SafetyCollaborators(
                        new ConfigMapSuites(client),
                        canary,
                        url -> new HttpCanaryModel(
                                http,
                                url,
                                safety.limits().promptTimeout(SafetySettings.DEFAULT_PROMPT_TIMEOUT),
                                safety.maxTokens(),
                                safety.limits().maxResponseBytes()),
                        Judges.http(http, safety.limits().maxResponseBytes()),
                        safety,
                        metrics,
                        new ConfigMapSafetyReports(new Applier(client, Clock.systemUTC())),
                        executor,
                        metrics.map(m -> LiveReader.deferred(m, reads)))));
        return new ConfiguredGates(factories, wakeups, release -> {
            executor.forget(release);
            reads.forget(release);
        });
    }

    /** The gates of {@code factory} evaluated off the reconcile thread ({@link DeferredGate}). */
    private static ConfiguredGates.Factory deferred(String kind, ConfiguredGates.Factory factory, DeferredReads reads) {
        return ref -> {
            Gate gate = factory.apply(ref);
            return gate instanceof UnavailableGate ? gate : new DeferredGate(gate, kind, reads);
        };
    }
}
