package dev.fledge.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.MirrorSource;
import dev.fledge.api.spec.SafetySpec;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.spec.StageName;
import dev.fledge.api.spec.StageSpec;
import dev.fledge.api.status.GateResult;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.api.status.Verdict;
import dev.fledge.e2e.rollout.RolloutScenario;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The cluster tier through a real Gateway (issue 16, part 4): {@code examples/gateway-api.yaml} rolled out 1.0.0 ->
 * 2.0.0 with the gatewayAPI router, on Traefik, which {@code cluster.sh} runs as the Gateway (GatewayClass
 * {@code traefik}). The example's Gateways are made as its comment says: {@code public-gw} for the public, and
 * {@code internal-gw} with the listeners {@code internal} and {@code closed}, on the entry points {@code cluster.sh}
 * gives Traefik ({@link #PUBLIC_PORT}, {@link #INTERNAL_PORT}, {@link #CLOSED_PORT}). The example is applied as written
 * but for what this machine needs: its {@code s3://} model URI becomes the fixture models on a claim
 * ({@code pvc://}), and its stages and analysis interval are shortened (the example has the defaults and 1m). Its
 * error-rate gate runs against the tier's Prometheus ({@link ClusterPrometheus#shared}).
 *
 * <p>Users only ever call the Gateway, one connection per request: the public on {@code public-gw}, internal and
 * closed users on their listeners, and a public user who sends {@code X-Fledge-Audience: internal} (a spoof). Every
 * status and {@code X-Fledge-Model-Version} is counted; no request may fail, the spoofing user may never see 2.0.0
 * before the public stage, and each public step's share of 2.0.0 must match the route's weight.
 *
 * <p>Then the shadow stage through the real Traefik, which implements no RequestMirror filter (its GatewayClass lists
 * its features without {@code HTTPRouteRequestMirror}, and it answers 500 to every request of a rule with one): the
 * operator mirrors through a TraefikService instead ({@code cluster.sh} runs Traefik's kubernetesCRD provider too). A
 * version unsafe only on live traffic (its answers to users are "I will kill you", its answers to the operator's suite
 * are the model's) passes preflight and is rolled back in the shadow stage by the safety gate, on the model server's
 * word-list verdicts of its answers to the mirrored copies. While the stage runs, no route carries a RequestMirror, the
 * public rule names the release's TraefikService, which mirrors to the canary at the stage's percent; the public users
 * on the Gateway only ever get 2.0.0's answers, none of their requests fails, and after the rollback the route sends
 * everything to stable's Service again.
 */
@Tag("cluster")
class GatewayApiOnClusterTest {
    static final Path EXAMPLE = ClusterChart.REPO.resolve("examples/gateway-api.yaml");
    /** Traefik's entry points of {@code cluster.sh} (FLEDGE_GATEWAY_PORT and the two after it). */
    static final int PUBLIC_PORT = 8000;

    static final int INTERNAL_PORT = 8001;
    static final int CLOSED_PORT = 8002;
    static final String NS = "gateway-api";
    static final String GATEWAY_CLASS = "traefik";
    static final String TRAEFIK = "traefik.io/gateway-controller";
    static final Duration STEP_TIMEOUT = Duration.ofMinutes(8);
    /** The shadow stage mirrors every public request: the safety gate fails on the first few flagged copies. */
    static final int MIRROR_PERCENT = 100;
    /** What the version unsafe on live traffic answers users (the model server's word list flags it: violence). */
    static final String UNSAFE_ANSWER = "I will kill you";

    @Test
    void theGatewayApiExampleRollsOutThroughTraefikWithNoFailedRequest() throws Exception {
        String kubeconfig = ClusterChart.install();
        ClusterPrometheus.shared(kubeconfig); // the example's error-rate gate reads it
        try (KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(kubeconfig))
                .build()) {
            traefikIsTheGateway(client);
            ModelRelease example =
                    client.getKubernetesSerialization().unmarshal(Files.readString(EXAMPLE), ModelRelease.class);
            // not the example's namespace, ml: the README's quick start uses it, in a class that may run beside this
            // one
            String ns = NS;
            ClusterChart.inNamespace(
                    client,
                    ns,
                    () -> rollsOut(client, ns, example.getMetadata().getName(), ClusterChart.nodeIp(kubeconfig)));
        }
    }

    void rollsOut(KubernetesClient client, String ns, String name, String nodeIp) throws Exception {
        client.resource(gateway(ns, "public-gw", Map.of("http", PUBLIC_PORT))).create();
        client.resource(gateway(ns, "internal-gw", Map.of("internal", INTERNAL_PORT, "closed", CLOSED_PORT)))
                .create();
        for (String gw : List.of("public-gw", "internal-gw")) {
            await("Gateway " + gw + " Programmed by Traefik")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> condition(gatewayApi(client, "Gateway", ns, gw), "Programmed"), "True"::equals);
        }
        ModelVolumeClaim.create(
                client,
                ns,
                Path.of(System.getenv("FLEDGE_CLUSTER_DIR")),
                Map.of("v1", GatedNamespace.FIXTURES.resolve("v1"), "v2", GatedNamespace.FIXTURES.resolve("v2")));
        var scenario = new RolloutScenario(client, ns, name, STEP_TIMEOUT);

        // the users start before the first release: its error-rate gate reads their requests at its internal and
        // closed stages. Until a stage serves an audience through the Gateway, its requests fail (nothing is released
        // to it yet); from its first 200 on, none may fail
        String gateway = "http://" + nodeIp + ":";
        long t0 = System.nanoTime();
        try (ServiceUsers users = new ServiceUsers(gateway + PUBLIC_PORT, null, 4, 5);
                ServiceUsers spoofing = new ServiceUsers(gateway + PUBLIC_PORT, "internal", 1, 5);
                ServiceUsers internal = new ServiceUsers(gateway + INTERNAL_PORT, null, 2, 5);
                ServiceUsers closed = new ServiceUsers(gateway + CLOSED_PORT, null, 2, 5)) {
            List<ServiceUsers> all = List.of(users, spoofing, internal, closed);
            scenario.firstReleaseIsPromoted(release(client, "1.0.0", "v1"));
            System.out.printf("cluster gateway: 1.0.0 promoted in %d s%n", secondsSince(t0));
            routesAreAcceptedByTraefik(client, ns, name);
            for (ServiceUsers u : all) {
                u.awaitFirstResponses(Duration.ofSeconds(60));
            }
            t0 = System.nanoTime();
            List<OperatorPodKiller.Point> points;
            List<Integer> publicWeights;
            try (OperatorPodKiller status = OperatorPodKiller.recorder(client, ns, name)) {
                scenario.apply(release(client, "2.0.0", "v2"));
                scenario.awaitStatus(
                        "2.0.0 promoted",
                        st -> st.getPhase() == Phase.PROMOTED && "2.0.0".equals(st.getStableVersion()));
                Thread.sleep(3000); // the seconds after the promotion count too
                points = status.points();
                publicWeights = status.publicWeights();
            }
            for (ServiceUsers u : all) {
                u.stop();
            }
            System.out.printf(
                    "cluster gateway: 2.0.0 promoted in %d s; public users: %s; spoofing public user: %s; internal:"
                            + " %s; closed: %s%n",
                    secondsSince(t0), users.summary(), spoofing.summary(), internal.summary(), closed.summary());
            for (ServiceUsers u : all) {
                assertThat(u.failedAfterFirstSuccess())
                        .as("failed requests through the Gateway from the first 200 on: %s", u.summary())
                        .isEmpty();
                assertThat(u.connectRetries())
                        .as("connects tried again")
                        .hasSizeLessThanOrEqualTo(ServiceUsers.CONNECT_RETRIES_ALLOWED);
            }
            AudienceShares shares = AudienceShares.ofWeights(points, "2.0.0");
            shares.check(users, internal, closed);
            assertThat(spoofing.versionsBetween(shares.internal(), shares.beforePublic()))
                    .as("a public user who claims to be internal, before the public stage")
                    .isNotEmpty()
                    .doesNotContainKey("2.0.0");
            assertThat(publicWeights).as("each public step entered once").containsExactly(25, 50, 100);
        }
        routesAreAcceptedByTraefik(client, ns, name);
        assertThat(scenario.view().routeBackends())
                .as("after the promotion, the public route sends everything to stable")
                .last()
                .isEqualTo("*->" + name + "-stable=100," + name + "-canary=0");

        // The shadow stage through Traefik, which has no RequestMirror filter: the operator mirrors the public rule
        // through a TraefikService instead. A version unsafe only on live traffic passes preflight (no suite to
        // answer), its answers to the mirrored copies are flagged by its own word list, and the safety gate rolls it
        // back; the public users on the Gateway never get one of its answers, and none of their requests fails.
        try (ServiceUsers users = new ServiceUsers(gateway + PUBLIC_PORT, null, 2, 5)) {
            users.awaitFirstResponses(Duration.ofSeconds(60));
            ModelReleaseStatus s;
            List<TraefikShadowLog.Snapshot> shadow;
            List<TraefikShadowLog.Snapshot> all;
            List<String> readErrors;
            Instant applied;
            try (TraefikShadowLog log = new TraefikShadowLog(client, ns, name)) {
                applied = Instant.now();
                scenario.apply(unsafeOnLiveTraffic(client, "2.1.0", "v1"));
                // ends the wait as well if the shadow stage passed (it must not), rather than at the step timeout
                s = scenario.awaitStatus(
                        "2.1.0 rolled back from the shadow stage",
                        st -> "2.1.0".equals(st.getRolledBackVersion())
                                || ("2.1.0".equals(st.getCanaryVersion()) && "internal".equals(st.getStage())));
                shadow = log.inShadow("2.1.0");
                all = log.snapshots();
                readErrors = log.errors();
            }
            long rolledBack = Duration.between(applied, Instant.now()).toSeconds();
            await("the public route back on the track Services")
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(scenario.view().routeBackends())
                            .last()
                            .isEqualTo("*->" + name + "-stable=100," + name + "-canary=0"));
            routesAreAcceptedByTraefik(client, ns, name);
            users.stop();
            GateResult safety = s.getGates() == null
                    ? null
                    : s.getGates().stream()
                            .filter(g -> "safety".equals(g.getName()))
                            .findFirst()
                            .orElse(null);
            System.out.printf(
                    "cluster gateway: 2.1.0 (unsafe on live traffic) %s; rolled back %d s after it was applied (%s);"
                            + " users: %s%n",
                    TraefikShadowLog.span(applied, shadow),
                    rolledBack,
                    safety == null ? "no safety gate" : safety.getVerdict() + ": " + safety.getReason(),
                    users.summary());

            // first what users got, then how the release got there
            QuickstartOnClusterTest.noFailedRequest(users, "failed requests while 2.1.0 ran in the shadow stage");
            assertThat(users.byVersion())
                    .as("versions that answered the public users")
                    .containsOnlyKeys("2.0.0");
            mirroredThroughTraefik(client, ns, name, shadow, all, readErrors);
            assertThat(s.getPhase()).as("2.1.0's outcome").isEqualTo(Phase.ROLLED_BACK);
            assertThat(s.getStableVersion()).isEqualTo("2.0.0");
            assertThat(s.getHistory())
                    .filteredOn(h -> "2.1.0".equals(h.getVersion()))
                    .extracting(h -> h.getStage() + "=" + h.getResult())
                    .containsExactly("preflight=Passed", "shadow=Failed");
            assertThat(safety).as("the safety gate's result").isNotNull();
            assertThat(safety.getVerdict()).isEqualTo(Verdict.FAIL);
            assertThat(safety.getReason()).contains("(shadow)");
            // no user was sent to 2.1.0: its flagged live outputs are its answers to the mirrored copies
            assertThat(safety.getFlagged()).as("flagged live outputs of 2.1.0").isPositive();
            assertThat(s.getMirrorPercent()).as("no mirror after the rollback").isNull();
        }
    }

    /**
     * While the release was in the shadow stage, Traefik carried its mirror: the public rule named the release's public
     * TraefikService (group traefik.io), and that TraefikService, owned by the release, sent each request
     * to the stable track Service and a copy of {@link #MIRROR_PERCENT} % (the status' {@code mirrorPercent}) to the
     * canary's; only the public was mirrored. No HTTPRoute carried a RequestMirror filter at any time (Traefik answers
     * 500 to every request of such a rule).
     */
    static void mirroredThroughTraefik(
            KubernetesClient client,
            String ns,
            String name,
            List<TraefikShadowLog.Snapshot> shadow,
            List<TraefikShadowLog.Snapshot> all,
            List<String> readErrors) {
        // named with the release's uid: Traefik names it <namespace>-<name> across namespaces (TraefikMirror.name)
        String uid = client.resources(ModelRelease.class)
                .inNamespace(ns)
                .withName(name)
                .get()
                .getMetadata()
                .getUid();
        String traefikService = name + "-mirror-public-" + uid;
        int port = client.services()
                .inNamespace(ns)
                .withName(name + "-stable")
                .get()
                .getSpec()
                .getPorts()
                .get(0)
                .getPort();
        assertThat(all)
                .as("snapshots of the route (failed reads: %s)", readErrors)
                .isNotEmpty();
        assertThat(all)
                .as("RequestMirror filters on the routes, from the apply on")
                .allSatisfy(p -> assertThat(p.requestMirrors()).isEmpty());
        assertThat(shadow)
                .as("snapshots in 2.1.0's shadow stage (failed reads: %s)", readErrors)
                .isNotEmpty()
                .allSatisfy(p -> assertThat(p.traefikServices().keySet())
                        .as("TraefikServices: the public's only")
                        .isSubsetOf(traefikService))
                .anySatisfy(p -> {
                    assertThat(p.mirrorPercent()).isEqualTo(MIRROR_PERCENT);
                    assertThat(p.publicBackends())
                            .as("the public rule's backendRefs")
                            .containsExactly("traefik.io/TraefikService/" + traefikService);
                    GenericKubernetesResource ts = p.traefikServices().get(traefikService);
                    assertThat(TraefikShadowLog.mirroring(ts))
                            .isEqualTo(name + "-stable:" + port + " -> [" + name + "-canary:" + port + " at "
                                    + p.mirrorPercent() + "%]");
                    assertThat(ts.getMetadata().getLabels()).containsEntry(Labels.RELEASE, name);
                    assertThat(ts.getMetadata().getOwnerReferences())
                            .singleElement()
                            .satisfies(o ->
                                    assertThat(o.getKind() + "/" + o.getName()).isEqualTo("ModelRelease/" + name));
                });
    }

    /**
     * The release with a shadow stage first, mirroring every public request ({@link #MIRROR_PERCENT}), the safety gate
     * it needs (online: no suite, so nothing for it in preflight), and a model server that answers users, and so the
     * mirrored copies, "I will kill you" (FLEDGE_FAULT_LIVE_ANSWER; the operator's suite would get the model's answers):
     * the word list of the model server, which judges live outputs when the release names no judge, flags it. A failing
     * verdict is not held back for minLiveSamples, so the default stays.
     */
    static ModelRelease unsafeOnLiveTraffic(KubernetesClient client, String version, String model) throws Exception {
        ModelRelease mr = release(client, version, model);
        List<StageSpec> stages = new ArrayList<>();
        stages.add(new StageSpec()
                .withName(StageName.SHADOW)
                .withMinDuration("10s")
                .withMirrorPercent(MIRROR_PERCENT)
                .withMirrorFrom(List.of(MirrorSource.PUBLIC)));
        stages.addAll(mr.getSpec().getStages());
        mr.getSpec().setStages(stages);
        mr.getSpec().getAnalysis().setSafety(new SafetySpec().withOnline(true));
        mr.getSpec()
                .setServer(new ServerSpec()
                        .withTemplate(new PodTemplateSpecBuilder()
                                .withNewSpec()
                                .addNewContainer()
                                .withName("model-server")
                                .addNewEnv()
                                .withName("FLEDGE_FAULT_LIVE_ANSWER")
                                .withValue(UNSAFE_ANSWER)
                                .endEnv()
                                .endContainer()
                                .endSpec()
                                .build()));
        return mr;
    }

    /**
     * The example with the version and its model on the claim, stages of seconds, and its analysis every 5 s; its
     * router, Gateways and metric gate as written.
     */
    @SuppressWarnings("unchecked")
    static ModelRelease release(KubernetesClient client, String version, String model) throws Exception {
        var json = client.getKubernetesSerialization();
        Map<String, Object> m = json.unmarshal(Files.readString(EXAMPLE), Map.class);
        Map<String, Object> spec = (Map<String, Object>) m.get("spec");
        Map<String, Object> modelSpec = new LinkedHashMap<>((Map<String, Object>) spec.get("model"));
        modelSpec.put("version", version);
        modelSpec.put("uri", "pvc://assistant-models/" + model);
        spec.put("model", modelSpec);
        spec.put(
                "stages",
                List.of(
                        Map.of("name", "internal", "minDuration", "10s"),
                        Map.of("name", "closed", "minDuration", "10s"),
                        Map.of("name", "public", "steps", List.of(25, 50, 100), "stepDuration", "20s")));
        Map<String, Object> analysis = new LinkedHashMap<>((Map<String, Object>) spec.get("analysis"));
        analysis.put("interval", "5s");
        spec.put("analysis", analysis);
        return json.convertValue(m, ModelRelease.class);
    }

    /** A Gateway of class traefik with one HTTP listener per entry, routes from its own namespace. */
    static GenericKubernetesResource gateway(String ns, String name, Map<String, Integer> listeners) {
        GenericKubernetesResource gw = new GenericKubernetesResource();
        gw.setApiVersion("gateway.networking.k8s.io/v1");
        gw.setKind("Gateway");
        gw.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                .withNamespace(ns)
                .withName(name)
                .build());
        gw.setAdditionalProperty(
                "spec",
                Map.of(
                        "gatewayClassName",
                        GATEWAY_CLASS,
                        "listeners",
                        listeners.entrySet().stream()
                                .map(l -> Map.of(
                                        "name",
                                        l.getKey(),
                                        "protocol",
                                        "HTTP",
                                        "port",
                                        l.getValue(),
                                        "allowedRoutes",
                                        Map.of("namespaces", Map.of("from", "Same"))))
                                .toList()));
        return gw;
    }

    /** cluster.sh ran Traefik, and it took the GatewayClass: a missing Gateway fails this tier, never skips it. */
    static void traefikIsTheGateway(KubernetesClient client) {
        GenericKubernetesResource gc = gatewayApi(client, "GatewayClass", null, GATEWAY_CLASS);
        assertThat(gc)
                .as(
                        "GatewayClass %s: cluster.sh runs Traefik when FLEDGE_CLUSTER_GATEWAY=1 (make cluster-tier)",
                        GATEWAY_CLASS)
                .isNotNull();
        assertThat(condition(gc, "Accepted"))
                .as("GatewayClass traefik Accepted")
                .isEqualTo("True");
    }

    /**
     * Each of the release's HTTPRoutes (the public route and the audiences' own) is accepted by Traefik, for its
     * current generation, at every parent it names.
     */
    static void routesAreAcceptedByTraefik(KubernetesClient client, String ns, String name) {
        await("routes accepted by Traefik at their generation")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> routesAccepted(client, ns, name));
    }

    static void routesAccepted(KubernetesClient client, String ns, String name) {
        List<HTTPRoute> routes =
                client.resources(HTTPRoute.class).inNamespace(ns).list().getItems();
        assertThat(routes)
                .extracting(r -> r.getMetadata().getName())
                .containsExactlyInAnyOrder(name, name + "-internal", name + "-closed");
        for (HTTPRoute r : routes) {
            assertThat(r.getStatus().getParents())
                    .as("route %s: a status per parent", r.getMetadata().getName())
                    .hasSameSizeAs(r.getSpec().getParentRefs())
                    .allSatisfy(p -> {
                        assertThat(p.getControllerName()).isEqualTo(TRAEFIK);
                        assertThat(p.getConditions()).anySatisfy(c -> {
                            assertThat(c.getType()).isEqualTo("Accepted");
                            assertThat(c.getStatus()).isEqualTo("True");
                            assertThat(c.getObservedGeneration())
                                    .isEqualTo(r.getMetadata().getGeneration());
                        });
                    });
        }
    }

    static GenericKubernetesResource gatewayApi(KubernetesClient client, String kind, String ns, String name) {
        var resources = client.genericKubernetesResources("gateway.networking.k8s.io/v1", kind);
        return ns == null
                ? resources.withName(name).get()
                : resources.inNamespace(ns).withName(name).get();
    }

    /** The status of condition {@code type} of a Gateway API object, or null. */
    @SuppressWarnings("unchecked")
    static String condition(GenericKubernetesResource o, String type) {
        if (o == null || !(o.getAdditionalProperties().get("status") instanceof Map<?, ?> status)) {
            return null;
        }
        Object conditions = status.get("conditions");
        if (!(conditions instanceof List<?> list)) {
            return null;
        }
        return list.stream()
                .map(c -> (Map<String, Object>) c)
                .filter(c -> type.equals(c.get("type")))
                .map(c -> String.valueOf(c.get("status")))
                .findFirst()
                .orElse(null);
    }

    static long secondsSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000_000L;
    }
}
