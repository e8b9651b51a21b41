package dev.fledge.helm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.testsupport.FledgeChart;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Issue 15: the chart's defaults are the multi-tenant-safe ones (docs/security.md). */
class MultiTenantDefaultsTest {

    static List<Container> containers(FledgeChart chart) {
        return chart.one(Deployment.class).getSpec().getTemplate().getSpec().getContainers();
    }

    @Test
    void promLabelProxyRunsBesideTheOperatorAndEveryQueryGoesThroughIt() {
        FledgeChart chart = ChartUnderTest.render();
        Container proxy = containers(chart).stream()
                .filter(c -> c.getName().equals("prom-label-proxy"))
                .findFirst()
                .orElseThrow();
        assertThat(proxy.getArgs())
                .containsExactly(
                        "-label=namespace",
                        "-upstream=http://prometheus-operated.monitoring.svc:9090",
                        "-insecure-listen-address=127.0.0.1:9091");
        assertThat(proxy.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(proxy.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        Map<String, String> env = containers(chart).get(0).getEnv().stream()
                .collect(Collectors.toMap(EnvVar::getName, e -> e.getValue() == null ? "" : e.getValue()));
        assertThat(env)
                .containsEntry("FLEDGE_PROMETHEUS_URL", "http://127.0.0.1:9091")
                .containsEntry("FLEDGE_PROMETHEUS_ENFORCED_LABEL", "namespace");
    }

    @Test
    void withoutTheProxyTheOperatorQueriesPrometheusDirectlyAndUnconfined() {
        FledgeChart chart = ChartUnderTest.render("operator: {prometheus: {labelProxy: {enabled: false}}}");
        assertThat(containers(chart)).extracting(Container::getName).containsExactly("operator");
        assertThat(containers(chart).get(0).getEnv())
                .extracting(EnvVar::getName)
                .doesNotContain("FLEDGE_PROMETHEUS_ENFORCED_LABEL");
    }

    @Test
    void modelPodSettingsReachTheOperator() {
        Map<String, String> env = containers(ChartUnderTest.render("""
                operator:
                  modelPods:
                    allowedImagePrefixes: [registry.example.com/models/, ghcr.io/acme/]
                    runAsUser: 2000
                    allowedLabelPrefixes: [acme.com/, app.kubernetes.io/part-of]
                    allowedAnnotationPrefixes: [cluster-autoscaler.kubernetes.io/safe-to-evict]
                  outbound: {allowedHosts: [hooks.slack.com, "*.guard.example.com"]}
                """)).get(0).getEnv().stream()
                .collect(Collectors.toMap(EnvVar::getName, e -> e.getValue() == null ? "" : e.getValue()));
        assertThat(env)
                .containsEntry("FLEDGE_SERVER_ALLOWED_IMAGE_PREFIXES", "registry.example.com/models/,ghcr.io/acme/")
                .containsEntry("FLEDGE_SERVER_RUN_AS_USER", "2000")
                .containsEntry("FLEDGE_SERVER_ALLOWED_POD_LABEL_PREFIXES", "acme.com/,app.kubernetes.io/part-of")
                .containsEntry(
                        "FLEDGE_SERVER_ALLOWED_POD_ANNOTATION_PREFIXES",
                        "cluster-autoscaler.kubernetes.io/safe-to-evict")
                .containsEntry("FLEDGE_OUTBOUND_ALLOWED_HOSTS", "hooks.slack.com,*.guard.example.com");
    }

    /**
     * Security review (upstream): spec.server.upstream runs a tenant's code in the model pod, so the operator allows it
     * only when the platform turns it on; the sidecar beside it gets requests and limits (ResourceQuota).
     */
    @Test
    void upstreamIsOffByDefaultAndTheSidecarsResourcesReachTheOperator() {
        Map<String, String> defaults = env(ChartUnderTest.render("{}"));
        assertThat(defaults)
                .doesNotContainKey("FLEDGE_SERVER_UPSTREAM_ENABLED")
                .containsEntry("FLEDGE_SERVER_PROXY_CPU_REQUEST", "250m")
                .containsEntry("FLEDGE_SERVER_PROXY_MEMORY_REQUEST", "512Mi")
                .containsEntry("FLEDGE_SERVER_PROXY_MEMORY_LIMIT", "1Gi")
                .doesNotContainKey("FLEDGE_SERVER_PROXY_CPU_LIMIT");

        Map<String, String> set = env(ChartUnderTest.render("""
                operator:
                  modelPods:
                    upstream: {enabled: true}
                    proxyResources: {requests: {cpu: 100m, memory: 256Mi}, limits: {cpu: "1", memory: 2Gi}}
                """));
        assertThat(set)
                .containsEntry("FLEDGE_SERVER_UPSTREAM_ENABLED", "true")
                .containsEntry("FLEDGE_SERVER_PROXY_CPU_REQUEST", "100m")
                .containsEntry("FLEDGE_SERVER_PROXY_MEMORY_REQUEST", "256Mi")
                .containsEntry("FLEDGE_SERVER_PROXY_CPU_LIMIT", "1")
                .containsEntry("FLEDGE_SERVER_PROXY_MEMORY_LIMIT", "2Gi");
    }

    private static Map<String, String> env(FledgeChart chart) {
        return containers(chart).get(0).getEnv().stream()
                .collect(Collectors.toMap(EnvVar::getName, e -> e.getValue() == null ? "" : e.getValue()));
    }

    @Test
    void routeLimitsReachTheOperatorAndAreUnsetByDefault() {
        Map<String, String> env = containers(ChartUnderTest.render("""
                operator:
                  routing:
                    allowedParentRefs: ["{namespace}/*", gateways/shared-gw]
                    allowedHostnames: ["*.{namespace}.models.example.com"]
                """)).get(0).getEnv().stream()
                .collect(Collectors.toMap(EnvVar::getName, e -> e.getValue() == null ? "" : e.getValue()));
        assertThat(env)
                .containsEntry("FLEDGE_ROUTING_ALLOWED_PARENT_REFS", "{namespace}/*,gateways/shared-gw")
                .containsEntry("FLEDGE_ROUTING_ALLOWED_HOSTNAMES", "*.{namespace}.models.example.com");
        assertThat(containers(ChartUnderTest.render()).get(0).getEnv())
                .extracting(EnvVar::getName)
                .doesNotContain("FLEDGE_ROUTING_ALLOWED_PARENT_REFS", "FLEDGE_ROUTING_ALLOWED_HOSTNAMES");
    }

    @Test
    void theOperatorsEgressExcludesLinkLocalAndItsOwnNamespace() {
        NetworkPolicy np = ChartUnderTest.render().one(NetworkPolicy.class);
        assertThat(np.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
        List<NetworkPolicyPeer> peers = np.getSpec().getEgress().stream()
                .map(NetworkPolicyEgressRule::getTo)
                .filter(t -> t != null)
                .flatMap(List::stream)
                .toList();
        assertThat(peers)
                .filteredOn(p -> p.getIpBlock() != null)
                .allSatisfy(p -> assertThat(p.getIpBlock().getExcept()).contains("169.254.0.0/16"));
        assertThat(peers)
                .filteredOn(p -> p.getNamespaceSelector() != null
                        && p.getNamespaceSelector().getMatchExpressions() != null
                        && !p.getNamespaceSelector().getMatchExpressions().isEmpty())
                .singleElement()
                .satisfies(p -> {
                    var e = p.getNamespaceSelector().getMatchExpressions().get(0);
                    assertThat(e.getOperator()).isEqualTo("NotIn");
                    assertThat(e.getValues()).containsExactly(ChartUnderTest.NAMESPACE);
                });
        assertThat(np.getSpec().getIngress())
                .singleElement()
                .satisfies(r -> assertThat(r.getFrom()).isEmpty());
    }

    @Test
    void withWatchNamespacesModelPodsCanGetAnIngressPolicyInEach() {
        List<NetworkPolicy> nps = ChartUnderTest.render("""
                watchNamespaces: [team-a, team-b]
                networkPolicy: {modelPods: {enabled: true, ingressFrom: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: gateway-system}}}]}}
                """).all(NetworkPolicy.class);
        assertThat(nps)
                .extracting(n -> n.getMetadata().getNamespace())
                .containsExactly(ChartUnderTest.NAMESPACE, "team-a", "team-b");
        NetworkPolicy teamA = nps.get(1);
        assertThat(teamA.getSpec().getPodSelector().getMatchExpressions().get(0).getKey())
                .isEqualTo("fledge.dev/release");
        assertThat(admittedTo(teamA, "http"))
                .as("the namespace's pods, the operator and ingressFrom")
                .hasSize(3)
                .contains(GATEWAY);
        assertThat(admittedTo(teamA, "http-public"))
                .as("the public Service's port (review MED 3) beside http")
                .isEqualTo(admittedTo(teamA, "http"));
        var operatorEgress = nps.get(0).getSpec().getEgress().stream()
                .map(NetworkPolicyEgressRule::getTo)
                .filter(t -> t != null)
                .flatMap(List::stream)
                .filter(p -> p.getNamespaceSelector() != null
                        && p.getNamespaceSelector().getMatchExpressions() != null
                        && !p.getNamespaceSelector().getMatchExpressions().isEmpty())
                .findFirst()
                .orElseThrow();
        assertThat(operatorEgress
                        .getNamespaceSelector()
                        .getMatchExpressions()
                        .get(0)
                        .getValues())
                .containsExactly("team-a", "team-b");
    }

    static final NetworkPolicyPeer GATEWAY = new NetworkPolicyPeerBuilder()
            .withNewNamespaceSelector()
            .addToMatchLabels("kubernetes.io/metadata.name", "gateway-system")
            .endNamespaceSelector()
            .build();
    static final NetworkPolicyPeer PROMETHEUS = new NetworkPolicyPeerBuilder()
            .withNewNamespaceSelector()
            .addToMatchLabels("kubernetes.io/metadata.name", "monitoring")
            .endNamespaceSelector()
            .withNewPodSelector()
            .addToMatchLabels("app.kubernetes.io/name", "prometheus")
            .endPodSelector()
            .build();

    /** The model-pod policy of team-a, rendered with the given networkPolicy.modelPods values. */
    static NetworkPolicy teamAModelPodPolicy(String modelPods) {
        return ChartUnderTest.render("watchNamespaces: [team-a]\nnetworkPolicy: {modelPods: " + modelPods + "}\n")
                .all(NetworkPolicy.class)
                .stream()
                .filter(n -> n.getMetadata().getNamespace().equals("team-a"))
                .findFirst()
                .orElseThrow();
    }

    /**
     * The peers a policy admits to a named port, read as the API does: a rule without ports admits every port, a
     * port entry without a port every port, a rule without peers everyone (returned as an empty peer).
     */
    static List<NetworkPolicyPeer> admittedTo(NetworkPolicy np, String port) {
        List<NetworkPolicyPeer> peers = new ArrayList<>();
        for (NetworkPolicyIngressRule rule : np.getSpec().getIngress()) {
            boolean portMatches = rule.getPorts() == null
                    || rule.getPorts().isEmpty()
                    || rule.getPorts().stream()
                            .anyMatch(p -> p.getPort() == null
                                    || port.equals(p.getPort().getStrVal()));
            if (!portMatches) {
                continue;
            }
            if (rule.getFrom() == null || rule.getFrom().isEmpty()) {
                peers.add(new NetworkPolicyPeer());
            } else {
                peers.addAll(rule.getFrom());
            }
        }
        return peers;
    }

    @Test
    void withoutUpstreamPeersNoOneReachesTheUpstreamPortNorAnyPortButTheFledgeServers() {
        NetworkPolicy np = teamAModelPodPolicy("{enabled: true, ingressFrom: [{namespaceSelector: {matchLabels:"
                + " {kubernetes.io/metadata.name: gateway-system}}}]}");
        assertThat(admittedTo(np, "upstream"))
                .as("the upstream server's port skips the sidecar's guard, metrics and audience")
                .isEmpty();
        assertThat(admittedTo(np, "9000"))
                .as("a port the Fledge server does not hold")
                .isEmpty();
        assertThat(admittedTo(np, "http")).contains(GATEWAY).hasSize(3);
        assertThat(admittedTo(np, "http-public")).isEqualTo(admittedTo(np, "http"));
    }

    @Test
    void onlyTheUpstreamMetricsPeersReachTheUpstreamPortAndNothingElseThroughThatRule() {
        NetworkPolicy np = teamAModelPodPolicy("""
                {enabled: true,
                 ingressFrom: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: gateway-system}}}],
                 upstreamMetricsFrom: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}},
                                        podSelector: {matchLabels: {app.kubernetes.io/name: prometheus}}}]}""");
        assertThat(admittedTo(np, "upstream"))
                .as("not the namespace's pods, the operator or the Gateway")
                .containsExactly(PROMETHEUS);
        assertThat(admittedTo(np, "http"))
                .doesNotContain(PROMETHEUS)
                .contains(GATEWAY)
                .hasSize(3);
        assertThat(admittedTo(np, "http-public")).isEqualTo(admittedTo(np, "http"));
        assertThat(admittedTo(np, "9000")).isEmpty();
    }
}
