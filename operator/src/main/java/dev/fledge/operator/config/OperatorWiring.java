package dev.fledge.operator.config;

import dev.fledge.core.rollout.GoDuration;
import dev.fledge.core.rollout.PlanResolver;
import dev.fledge.operator.gates.AnalysisGates;
import dev.fledge.operator.gates.GateProvider;
import dev.fledge.operator.gates.metric.PrometheusSettings;
import dev.fledge.operator.gates.metric.QueryBudget;
import dev.fledge.operator.gates.safety.CanaryEndpoint;
import dev.fledge.operator.gates.safety.SafetyLimits;
import dev.fledge.operator.gates.safety.SafetySettings;
import dev.fledge.operator.gates.safety.SuiteConcurrency;
import dev.fledge.operator.http.BoundedHttp;
import dev.fledge.operator.http.OutboundPolicy;
import dev.fledge.operator.http.ServiceLookup;
import dev.fledge.operator.k8s.ActionAnnotation;
import dev.fledge.operator.k8s.EventQueue;
import dev.fledge.operator.k8s.EventRecorder;
import dev.fledge.operator.k8s.OwnedObjects;
import dev.fledge.operator.k8s.UnstoredDecisions;
import dev.fledge.operator.metrics.OperatorMetrics;
import dev.fledge.operator.notify.Backoff;
import dev.fledge.operator.notify.NotificationSettings;
import dev.fledge.operator.notify.WebhookDispatcher;
import dev.fledge.operator.routing.GatewayApiRouter;
import dev.fledge.operator.routing.Routers;
import dev.fledge.operator.validation.PodMetadataKeys;
import dev.fledge.operator.validation.PodTemplatePolicy;
import dev.fledge.operator.validation.RecordedServingPolicy;
import dev.fledge.operator.validation.RoutePolicy;
import dev.fledge.operator.validation.SpecValidator;
import dev.fledge.operator.workload.ModelServerLimits;
import dev.fledge.operator.workload.PodHardening;
import dev.fledge.operator.workload.ServerDefaults;
import dev.fledge.operator.workload.ShardMoves;
import dev.fledge.operator.workload.Workloads;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** CDI producers: the one place where the operator's collaborators are built from configuration. */
public class OperatorWiring {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    PlanResolver plans(
            @ConfigProperty(name = "fledge.analysis.default-interval", defaultValue = "1m") String interval) {
        return new PlanResolver(GoDuration.parse(interval));
    }

    /** What a release may put in spec.server; also held against the recorded stable configuration (Workloads). */
    @Produces
    @Singleton
    PodTemplatePolicy podTemplatePolicy(
            @ConfigProperty(name = "fledge.server.allowed-image-prefixes") Optional<List<String>> imagePrefixes,
            @ConfigProperty(name = "fledge.server.allowed-pod-label-prefixes") Optional<List<String>> labelPrefixes,
            @ConfigProperty(name = "fledge.server.allowed-pod-annotation-prefixes")
                    Optional<List<String>> annotationPrefixes,
            @ConfigProperty(name = PodTemplatePolicy.UPSTREAM_SETTING, defaultValue = "false") boolean upstream,
            PodHardening hardening) {
        return new PodTemplatePolicy(
                imagePrefixes.orElse(List.of()),
                hardening.allowedHostPathPrefixes(),
                new PodMetadataKeys(labelPrefixes.orElse(List.of()), annotationPrefixes.orElse(List.of())),
                upstream);
    }

    @Produces
    @Singleton
    SpecValidator validator(PodTemplatePolicy pods, RoutePolicy routeLimits) {
        return new SpecValidator(pods, routeLimits, SpecValidator.MIN_INTERVAL);
    }

    /** Which Gateways and hostnames a release's routes may use: checked on the spec, and held to on an invalid one. */
    @Produces
    @Singleton
    RoutePolicy routeLimits(
            @ConfigProperty(name = "fledge.routing.allowed-parent-refs") Optional<List<String>> parentRefs,
            @ConfigProperty(name = "fledge.routing.allowed-hostnames") Optional<List<String>> hostnames,
            @ConfigProperty(name = RoutePolicy.POOLS_SETTING, defaultValue = "false") boolean inferencePools) {
        return new RoutePolicy(parentRefs.orElse(List.of()), hostnames.orElse(List.of()), inferencePools);
    }

    @Produces
    @Singleton
    PodHardening podHardening(
            @ConfigProperty(name = "fledge.server.run-as-user", defaultValue = "10001") long runAsUser,
            @ConfigProperty(name = "fledge.server.allowed-host-path-prefixes") Optional<List<String>> hostPaths) {
        return new PodHardening(runAsUser > 0 ? Optional.of(runAsUser) : Optional.empty(), hostPaths.orElse(List.of()));
    }

    @Produces
    @Singleton
    ServerDefaults serverDefaults(
            @ConfigProperty(name = "fledge.server.default-image", defaultValue = "fledge/model-server:0.1.0")
                    String image,
            @ConfigProperty(name = "fledge.server.default-port", defaultValue = "8080") int port,
            @ConfigProperty(name = "fledge.server.proxy-image") Optional<String> proxyImage,
            @ConfigProperty(name = "fledge.server.proxy-cpu-request", defaultValue = "250m") String cpuRequest,
            @ConfigProperty(name = "fledge.server.proxy-memory-request", defaultValue = "512Mi") String memoryRequest,
            @ConfigProperty(name = "fledge.server.proxy-cpu-limit") Optional<String> cpuLimit,
            @ConfigProperty(name = "fledge.server.proxy-memory-limit", defaultValue = "1Gi") String memoryLimit) {
        return new ServerDefaults(
                image,
                port,
                proxyImage.filter(i -> !i.isBlank()).orElse(image),
                ServerDefaults.proxyResources(cpuRequest, memoryRequest, cpuLimit.orElse(null), memoryLimit));
    }

    /** The informers of the Services and HTTPRoutes the operator makes: one set, read by routers and workloads. */
    @Produces
    @Singleton
    OwnedObjects ownedObjects() {
        return new OwnedObjects();
    }

    @Produces
    @Singleton
    Routers routers(
            KubernetesClient client,
            Clock clock,
            ServerDefaults defaults,
            RoutePolicy routeLimits,
            OwnedObjects owned,
            @ConfigProperty(name = GatewayApiRouter.TRAEFIK_MIRROR_SETTING, defaultValue = "false")
                    boolean traefikMirror) {
        return OperatorAssembly.routers(client, clock, defaults, routeLimits, owned, traefikMirror);
    }

    @Produces
    @Singleton
    Workloads workloads(
            KubernetesClient client,
            Clock clock,
            ServerDefaults defaults,
            PodHardening hardening,
            ModelServerLimits limits,
            PodTemplatePolicy pods,
            OwnedObjects owned) {
        return OperatorAssembly.workloads(
                client,
                clock,
                defaults,
                hardening,
                limits,
                new RecordedServingPolicy(pods, defaults.image(), defaults.proxyImage()),
                owned);
    }

    /** The model server's download and extraction caps, set on every model container (docs/security.md). */
    @Produces
    @Singleton
    ModelServerLimits modelServerLimits(
            @ConfigProperty(name = "fledge.server.max-download-size", defaultValue = "20G") String download,
            @ConfigProperty(name = "fledge.server.max-extracted-size", defaultValue = "40G") String extracted,
            @ConfigProperty(name = "fledge.server.max-archive-entries", defaultValue = "10000") int entries,
            @ConfigProperty(name = "fledge.server.max-compression-ratio", defaultValue = "100") int ratio) {
        return new ModelServerLimits(download, extracted, entries, ratio);
    }

    @Produces
    @Singleton
    GateProvider gates(
            KubernetesClient client,
            ServerDefaults defaults,
            @ConfigProperty(name = "fledge.prometheus.url") Optional<String> prometheusUrl,
            @ConfigProperty(name = "fledge.prometheus.bearer-token") Optional<String> bearerToken,
            @ConfigProperty(name = "fledge.prometheus.timeout", defaultValue = "10s") String timeout,
            @ConfigProperty(name = "fledge.prometheus.tls.ca-file") Optional<String> caFile,
            @ConfigProperty(name = "fledge.prometheus.tls.insecure-skip-verify", defaultValue = "false")
                    boolean insecure,
            @ConfigProperty(name = "fledge.prometheus.enforced-label") Optional<String> enforcedLabel,
            @ConfigProperty(name = "fledge.prometheus.scrape-interval", defaultValue = "15s") String scrapeInterval,
            @ConfigProperty(name = "fledge.prometheus.max-queries-per-namespace", defaultValue = "4")
                    int queriesPerNamespace,
            @ConfigProperty(name = "fledge.prometheus.namespace-query-time", defaultValue = "30s")
                    String namespaceQueryTime,
            @ConfigProperty(name = "fledge.prometheus.readers", defaultValue = "32") int readers,
            @ConfigProperty(name = "fledge.prometheus.answer-wait", defaultValue = "200ms") String answerWait,
            @ConfigProperty(name = "fledge.safety.default-judge-url") Optional<String> judgeUrl,
            @ConfigProperty(name = "fledge.safety.max-tokens", defaultValue = "32") int maxTokens,
            SafetyLimits limits,
            OutboundPolicy outbound,
            HttpClient tenantHttp,
            @ConfigProperty(name = "fledge.safety.max-concurrent-suites", defaultValue = "4") int suites,
            @ConfigProperty(name = "fledge.safety.max-concurrent-suites-per-namespace", defaultValue = "2")
                    int suitesPerNamespace,
            @ConfigProperty(name = "fledge.safety.max-suite-duration", defaultValue = "15m") String maxSuiteDuration) {
        Optional<PrometheusSettings> prometheus = prometheusUrl
                .filter(u -> !u.isBlank())
                .map(u -> new PrometheusSettings(
                        u,
                        bearerToken.filter(t -> !t.isBlank()),
                        GoDuration.parse(timeout),
                        caFile,
                        insecure,
                        enforcedLabel.filter(l -> !l.isBlank()),
                        scrapeInterval(scrapeInterval)));
        QueryBudget standard = QueryBudget.standard();
        return AnalysisGates.provider(
                prometheus,
                new QueryBudget(
                        queriesPerNamespace,
                        standard.slotWait(),
                        GoDuration.parse(namespaceQueryTime),
                        standard.window(),
                        readers,
                        answerWait(answerWait)),
                client,
                CanaryEndpoint.clusterService(defaults),
                new SafetySettings(
                        judgeUrl.filter(u -> !u.isBlank()),
                        maxTokens,
                        limits,
                        outbound,
                        new SuiteConcurrency(suites, suitesPerNamespace, GoDuration.parse(maxSuiteDuration))),
                tenantHttp);
    }

    /** The operator's one HTTP client for tenant servers (canaries, judges); every suite run shares it. */
    @Produces
    @Singleton
    HttpClient tenantHttp() {
        return BoundedHttp.newClient(AnalysisGates.CONNECT_TIMEOUT);
    }

    /**
     * Where a release's judge and webhook URLs may point: its own namespace's Services and the operator-wide
     * allow-list, which always holds the default judge's host; never loopback, link-local or the operator's namespace.
     * A Service is read first: ExternalName, selector-less and headless ones are refused.
     */
    @Produces
    @Singleton
    OutboundPolicy outbound(
            KubernetesClient client,
            @ConfigProperty(name = "fledge.outbound.allowed-hosts") Optional<List<String>> hosts,
            @ConfigProperty(name = "fledge.safety.default-judge-url") Optional<String> judgeUrl,
            @ConfigProperty(name = "pod.namespace") Optional<String> operatorNamespace) {
        List<String> allowed = new ArrayList<>(hosts.orElse(List.of()));
        judgeUrl.flatMap(OutboundPolicy::hostOf).ifPresent(allowed::add);
        // a release's judge URL is checked before every judge call: a Service's answer is kept 2 s at most
        return new OutboundPolicy(
                allowed,
                operatorNamespace,
                InetAddress::getAllByName,
                ServiceLookup.cached(ServiceLookup.of(client), Duration.ofSeconds(2), System::nanoTime));
    }

    /** Ceilings on what one release's safety gate may cost the shared operator (docs/security.md). */
    @Produces
    @Singleton
    SafetyLimits safetyLimits(
            @ConfigProperty(name = "fledge.safety.max-prompt-timeout", defaultValue = "60s") String promptTimeout,
            @ConfigProperty(name = "fledge.safety.max-judge-timeout", defaultValue = "30s") String judgeTimeout,
            @ConfigProperty(name = "fledge.safety.max-concurrency", defaultValue = "8") int concurrency,
            @ConfigProperty(name = "fledge.safety.max-prompts", defaultValue = "500") int prompts,
            @ConfigProperty(name = "fledge.http.max-response-bytes", defaultValue = "65536") int responseBytes) {
        return new SafetyLimits(
                GoDuration.parse(promptTimeout), GoDuration.parse(judgeTimeout), concurrency, prompts, responseBytes);
    }

    @Produces
    @Singleton
    EventRecorder events(KubernetesClient client, Clock clock, EventQueue queue) {
        return new EventRecorder(client, clock, queue);
    }

    /** The Events' own writer threads: a reconcile does not wait for the API server to take them. */
    @Produces
    @Singleton
    EventQueue eventQueue(OperatorMetrics metrics) {
        return new EventQueue(metrics::event);
    }

    /**
     * Writes the Events still queued at shutdown (at most 5 s), from a shutdown observer after JOSDK's, which stops the
     * reconcilers: the Kubernetes client is still open then ({@code quarkus.operator-sdk.close-client-on-stop=false};
     * Quarkus closes it when its container stops, after every shutdown observer).
     */
    void drainEvents(@Observes @Priority(Interceptor.Priority.PLATFORM_AFTER) ShutdownEvent stop, EventQueue queue) {
        queue.close();
    }

    @Produces
    @Singleton
    ActionAnnotation actions(KubernetesClient client) {
        return new ActionAnnotation(client);
    }

    @Produces
    @Singleton
    UnstoredDecisions unstoredDecisions(KubernetesClient client) {
        return new UnstoredDecisions(client);
    }

    /**
     * Leader election on a Lease, so that a second replica (or the old pod during an upgrade) stays idle. QOSDK
     * activates it in the prod profile ({@code quarkus.operator-sdk.activate-leader-election-for-profiles}); the
     * lease namespace defaults to the operator's own.
     */
    @Produces
    @Singleton
    LeaderElection leaderElectionSettings(
            @ConfigProperty(name = "fledge.leader-election.enabled", defaultValue = "true") boolean enabled,
            @ConfigProperty(name = "fledge.leader-election.lease-name", defaultValue = "fledge-operator") String name,
            @ConfigProperty(name = "fledge.leader-election.lease-namespace") Optional<String> namespace) {
        return new LeaderElection(enabled, name, namespace);
    }

    /**
     * The releases this operator handles when several share the cluster ({@link Shard}): {@code
     * fledge.sharding.selector}, which application.properties also hands to QOSDK as the ModelRelease informer's
     * selector. A selector on another label than fledge.dev/shard stops the start with the reason.
     */
    @Produces
    @Singleton
    ShardMoves shardMoves(
            KubernetesClient client, @ConfigProperty(name = "fledge.sharding.selector") Optional<String> selector) {
        return new ShardMoves(client, new Shard(selector));
    }

    /** Dependent, so that it may be null: {@code fledge.leader-election.enabled=false} turns leader election off. */
    @Produces
    @Dependent
    LeaderElectionConfiguration leaderElection(LeaderElection settings) {
        return settings.configuration().orElse(null);
    }

    @Produces
    @Singleton
    OperatorMetrics metrics(MeterRegistry registry) {
        return new OperatorMetrics(registry);
    }

    @Produces
    @Singleton
    NotificationSettings notificationSettings(
            @ConfigProperty(name = "fledge.notifications.webhook-url") Optional<String> url,
            @ConfigProperty(name = "fledge.notifications.format", defaultValue = "generic") String format,
            @ConfigProperty(name = "fledge.notifications.events") Optional<String> events,
            @ConfigProperty(name = "fledge.notifications.timeout", defaultValue = "5s") String timeout,
            @ConfigProperty(name = "fledge.notifications.max-attempts", defaultValue = "4") int maxAttempts,
            @ConfigProperty(name = "fledge.notifications.queue-capacity", defaultValue = "1000") int queueCapacity,
            @ConfigProperty(name = "fledge.notifications.signing-key") Optional<String> signingKey,
            @ConfigProperty(name = "fledge.notifications.include-flagged-examples", defaultValue = "false")
                    boolean flaggedExamples) {
        return new NotificationSettings(
                NotificationSettings.global(url, format, events)
                        .map(t -> t.withSigning(NotificationSettings.signing(signingKey))
                                .withFlaggedExamples(flaggedExamples)),
                GoDuration.parse(timeout),
                maxAttempts,
                Backoff.standard(),
                queueCapacity);
    }

    @Produces
    @Singleton
    WebhookDispatcher notifier(
            KubernetesClient client,
            NotificationSettings settings,
            OperatorMetrics metrics,
            OutboundPolicy outbound,
            EventRecorder events) {
        return OperatorAssembly.webhooks(client, settings, metrics, outbound, events);
    }

    void closeNotifier(@Disposes WebhookDispatcher notifier) {
        notifier.close();
    }

    /**
     * {@code fledge.prometheus.scrape-interval}, which must be longer than zero: the live safety evidence reaches two
     * of it before a stage's start (LiveOutputs), so zero would silently lose the outputs before a stage's first scrape.
     */
    static Duration scrapeInterval(String text) {
        Duration d = GoDuration.parse(text);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException("fledge.prometheus.scrape-interval (chart modelPodMonitor.interval) must"
                    + " be the real interval at which Prometheus scrapes the model pods, longer than zero: " + text);
        }
        return d;
    }

    /** {@code fledge.prometheus.answer-wait}: at most {@link QueryBudget#MAX_ANSWER_WAIT}. */
    static Duration answerWait(String text) {
        Duration wait = GoDuration.parse(text);
        if (wait.compareTo(QueryBudget.MAX_ANSWER_WAIT) > 0) {
            throw new IllegalArgumentException("fledge.prometheus.answer-wait must be at most "
                    + QueryBudget.MAX_ANSWER_WAIT.toMillis() + "ms (a pass that waits holds a reconcile thread): "
                    + text);
        }
        return wait;
    }
}
