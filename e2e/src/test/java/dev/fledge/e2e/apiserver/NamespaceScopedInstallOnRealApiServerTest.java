package dev.fledge.e2e.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fledge.api.ModelRelease;
import dev.fledge.e2e.rollout.ProductionReconciler;
import dev.fledge.e2e.rollout.RolloutScenario;
import dev.fledge.e2e.rollout.TestReleases;
import dev.fledge.operator.rbac.RequiredPermissions;
import dev.fledge.operator.rbac.RequiredPermissions.Rule;
import dev.fledge.testsupport.DeploymentReadiness;
import dev.fledge.testsupport.FledgeChart;
import dev.fledge.testsupport.GatewaySimulator;
import dev.fledge.testsupport.InProcessOperator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, finding 8: a namespace-scoped install for a multi-tenant cluster. The chart is rendered with
 * {@code watchNamespaces: [team-a]}, its RBAC (and nothing else) applied to a real API server, and the operator runs
 * as its ServiceAccount (impersonation): it carries a gatewayAPI rollout in team-a, and it may neither read nor write
 * anything in team-b.
 */
@Tag("apiserver")
class NamespaceScopedInstallOnRealApiServerTest {

    // its own operator namespace, so that no ClusterRoleBinding of a cluster-wide test names this ServiceAccount
    static final String OPERATOR_NS = "fledge-scoped";
    static final String TEAM_A = "team-a";
    static final String TEAM_B = "team-b";

    static KubernetesClient admin;
    static ChartAccount account;
    static KubernetesClient operatorAccount;

    @BeforeAll
    static void applyTheNamespaceScopedChartsRbac() {
        admin = RealApiServer.shared().client();
        FledgeChart chart = FledgeChart.render(
                RepoFiles.repo().resolve("helm/fledge"),
                OPERATOR_NS,
                System.getProperty("fledge.kube.version", "1.34.4"),
                "watchNamespaces: [" + TEAM_A + "]\n");
        List<HasMetadata> clusterWide = chart.rbac().stream()
                .filter(o -> o.getKind().startsWith("Cluster"))
                .toList();
        assertThat(clusterWide)
                .as("a namespace-scoped install grants nothing cluster-wide but get on GatewayClasses")
                .extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
                .containsExactlyInAnyOrder(
                        "ClusterRole/fledge-gatewayclass-reader", "ClusterRoleBinding/fledge-gatewayclass-reader");
        assertThat(clusterWide)
                .filteredOn(o -> o instanceof io.fabric8.kubernetes.api.model.rbac.ClusterRole)
                .singleElement()
                .satisfies(o -> assertThat(((io.fabric8.kubernetes.api.model.rbac.ClusterRole) o).getRules())
                        .singleElement()
                        .satisfies(r -> {
                            assertThat(r.getResources()).containsExactly("gatewayclasses");
                            assertThat(r.getVerbs()).containsExactly("get");
                        }));
        account = ChartAccount.apply(admin, chart, OPERATOR_NS, List.of(TEAM_A, TEAM_B));
        operatorAccount = account.client();
    }

    @AfterAll
    static void close() {
        if (account != null) {
            account.close();
        }
    }

    @Test
    void everyRequiredPermissionHoldsInTheWatchedNamespaceAndNoneInAnother() {
        List<String> missingInA = new ArrayList<>();
        List<String> grantedInB = new ArrayList<>();
        for (Rule rule : RequiredPermissions.watchedNamespaceRules()) {
            for (String verb : rule.verbs()) {
                String what = verb + " " + rule.apiGroup() + "/" + rule.resource();
                if (!allowed(verb, rule, TEAM_A)) {
                    missingInA.add(what);
                }
                if (allowed(verb, rule, TEAM_B)) {
                    grantedInB.add(what);
                }
                if (allowed(verb, rule, null)) {
                    grantedInB.add(what + " (all namespaces)");
                }
            }
        }
        for (Rule rule : RequiredPermissions.operatorNamespaceRules()) {
            for (String verb : rule.verbs()) {
                if (!allowed(verb, rule, OPERATOR_NS)) {
                    missingInA.add(verb + " " + rule.resource() + " in " + OPERATOR_NS);
                }
                if (allowed(verb, rule, TEAM_B)) {
                    grantedInB.add(verb + " " + rule.resource());
                }
            }
        }
        // the one cluster-scoped grant: get GatewayClasses (the shadow stage's RequestMirror check), nothing more
        for (Rule rule : RequiredPermissions.clusterScopedRules()) {
            for (String verb : rule.verbs()) {
                if (!allowed(verb, rule, null)) {
                    missingInA.add(verb + " " + rule.apiGroup() + "/" + rule.resource() + " (cluster-scoped)");
                }
            }
            assertThat(allowed("list", rule, null))
                    .as("list " + rule.resource())
                    .isFalse();
        }
        assertThat(missingInA).as("required in team-a, refused").isEmpty();
        // nothing lists or watches ConfigMaps, so the account may not even in its own namespace
        assertThat(allowed("list", new Rule("", "configmaps", Set.of()), TEAM_A))
                .isFalse();
        assertThat(allowed("watch", new Rule("", "configmaps", Set.of()), TEAM_A))
                .isFalse();
        // the response-id key Secrets are only created: no Secret is readable, even in the watched namespace
        assertThat(allowed("get", new Rule("", "secrets", Set.of()), TEAM_A)).isFalse();
        assertThat(allowed("list", new Rule("", "secrets", Set.of()), TEAM_A)).isFalse();
        assertThat(grantedInB).as("granted outside the watched namespace").isEmpty();
    }

    @Test
    void theOperatorCarriesARolloutInItsNamespaceAndCannotReadOrWriteAnother() {
        admin.resource(OperatorOnRealApiServerTest.gateway(TEAM_A, "public-gw"))
                .fieldManager(ClusterResources.FIELD_MANAGER)
                .serverSideApply();
        RolloutScenario scenario = new RolloutScenario(admin, TEAM_A, "assistant", Duration.ofSeconds(30));
        try (var kubelet = new DeploymentReadiness(admin, TEAM_A);
                // the Gateway controller accepts the routes with its own rights, not the operator account's
                var gateway = GatewaySimulator.start(admin, Set.of(TEAM_A));
                var operator = InProcessOperator.watching(
                        operatorAccount, ProductionReconciler.withoutGates(operatorAccount), TEAM_A)) {
            scenario.firstReleaseIsPromoted(TestReleases.gatewayApi(TEAM_A, "assistant", "1.0.0", "public-gw"));
            scenario.gatewayApiRolloutIsPromoted(
                    TestReleases.gatewayApi(TEAM_A, "assistant", "2.0.0", "public-gw"), "public-gw");
        }

        // team-b's release exists, and the operator's account can neither see nor change anything there
        ModelRelease other = admin.resource(TestReleases.replicas(TEAM_B, "assistant", "1.0.0"))
                .fieldManager(ClusterResources.FIELD_MANAGER)
                .serverSideApply();
        assertThat(other.getMetadata().getUid()).isNotNull();
        assertForbidden(() -> operatorAccount
                .resources(ModelRelease.class)
                .inNamespace(TEAM_B)
                .withName("assistant")
                .get());
        assertForbidden(
                () -> operatorAccount.apps().deployments().inNamespace(TEAM_B).list());
        assertForbidden(() -> operatorAccount
                .configMaps()
                .inNamespace(TEAM_B)
                .withName("suite")
                .get());
        assertForbidden(() -> operatorAccount
                .services()
                .inNamespace(TEAM_B)
                .resource(new ServiceBuilder()
                        .withNewMetadata()
                        .withName("assistant")
                        .endMetadata()
                        .withNewSpec()
                        .addNewPort()
                        .withPort(80)
                        .endPort()
                        .endSpec()
                        .build())
                .create());
        assertForbidden(() ->
                operatorAccount.resources(ModelRelease.class).inAnyNamespace().list());
        admin.resource(other).delete();
    }

    /**
     * The model-pod NetworkPolicy of each watched namespace, with peers for the sidecar's {@code upstream} port, is
     * accepted by the real API server, and what it stores admits {@code upstream} from those peers only and the
     * Fledge server's named ports from the rest.
     */
    @Test
    void theModelPodPolicyWithItsPerPortRulesIsAcceptedAsRendered() {
        FledgeChart chart = FledgeChart.render(
                RepoFiles.repo().resolve("helm/fledge"),
                OPERATOR_NS,
                System.getProperty("fledge.kube.version", "1.34.4"),
                """
                watchNamespaces: [%s]
                networkPolicy:
                  modelPods:
                    enabled: true
                    ingressFrom: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: gateway-system}}}]
                    upstreamMetricsFrom: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}}]
                """.formatted(TEAM_A));
        NetworkPolicy rendered = chart.all(NetworkPolicy.class).stream()
                .filter(n -> TEAM_A.equals(n.getMetadata().getNamespace()))
                .findFirst()
                .orElseThrow();
        NetworkPolicy stored = new ClusterResources(admin).dryRunApply(rendered, TEAM_A);
        List<NetworkPolicyIngressRule> ingress = stored.getSpec().getIngress();
        assertThat(ingress).allSatisfy(r -> {
            assertThat(r.getPorts()).as("every rule names its ports").isNotEmpty();
            assertThat(r.getFrom()).as("every rule names its peers").isNotEmpty();
        });
        assertThat(ingress)
                .filteredOn(r -> r.getPorts().stream()
                        .anyMatch(p -> "upstream".equals(p.getPort().getStrVal())))
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.getPorts()).hasSize(1);
                    assertThat(r.getFrom())
                            .singleElement()
                            .satisfies(p -> assertThat(p.getNamespaceSelector().getMatchLabels())
                                    .containsEntry("kubernetes.io/metadata.name", "monitoring"));
                });
        assertThat(ingress)
                .flatExtracting(NetworkPolicyIngressRule::getPorts)
                .extracting(p -> p.getPort().getStrVal())
                .containsExactlyInAnyOrder("http", "http-public", "upstream");
    }

    static void assertForbidden(Runnable call) {
        assertThatThrownBy(call::run)
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getCode()).isEqualTo(403));
    }

    /** {@code modelreleases/status} in a rule is the status subresource of modelreleases. */
    static boolean allowed(String verb, Rule rule, String namespace) {
        String[] parts = rule.resource().split("/", 2);
        return account.allowed(verb, rule.apiGroup(), parts[0], parts.length > 1 ? parts[1] : null, namespace);
    }
}
