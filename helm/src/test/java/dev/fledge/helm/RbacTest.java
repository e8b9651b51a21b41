package dev.fledge.helm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.operator.rbac.RequiredPermissions;
import dev.fledge.operator.rbac.RequiredPermissions.Rule;
import dev.fledge.testsupport.FledgeChart;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class RbacTest {

    private static final FledgeChart CLUSTER_WIDE = ChartUnderTest.render();
    private static final FledgeChart NAMESPACED = ChartUnderTest.render("""
            watchNamespaces: [ml, ml-staging]
            """);

    /** Flattens rules to one (group, resource, verbs) per resource, the shape of RequiredPermissions. */
    static Set<Rule> flatten(List<PolicyRule> rules) {
        Set<Rule> flat = new HashSet<>();
        for (PolicyRule rule : rules) {
            if (!rule.getResources().equals(List.of("secrets"))) {
                assertThat(rule.getResourceNames()).as("resourceNames").isNullOrEmpty();
            }
            assertThat(rule.getNonResourceURLs()).as("nonResourceURLs").isNullOrEmpty();
            assertThat(rule.getVerbs()).as("verbs").doesNotContain("*");
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    assertThat(resource).as("resource").isNotEqualTo("*");
                    assertThat(flat.add(new Rule(group, resource, new HashSet<>(rule.getVerbs()))))
                            .as("%s/%s listed twice", group, resource)
                            .isTrue();
                }
            }
        }
        return flat;
    }

    private static ClusterRole operatorClusterRole(FledgeChart chart) {
        return chart.all(ClusterRole.class).stream()
                .filter(r -> r.getMetadata().getName().equals("fledge"))
                .findFirst()
                .orElseThrow();
    }

    private static Role leaderElectionRole(FledgeChart chart) {
        return chart.all(Role.class).stream()
                .filter(r -> r.getMetadata().getName().equals("fledge-leader-election"))
                .findFirst()
                .orElseThrow();
    }

    private static boolean grantsModelReleases(List<PolicyRule> rules) {
        return rules.stream()
                .anyMatch(r -> r.getApiGroups().contains("fledge.dev")
                        || r.getApiGroups().contains("*"));
    }

    @Test
    void clusterRoleGrantsExactlyTheRequiredPermissions() {
        List<Rule> expected = new java.util.ArrayList<>(RequiredPermissions.watchedNamespaceRules());
        expected.addAll(RequiredPermissions.clusterScopedRules());
        assertThat(flatten(operatorClusterRole(CLUSTER_WIDE).getRules())).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void leaseRoleInTheOperatorNamespaceGrantsExactlyTheLeaderElectionPermissions() {
        for (FledgeChart chart : List.of(CLUSTER_WIDE, NAMESPACED)) {
            Role role = leaderElectionRole(chart);

            assertThat(role.getMetadata().getNamespace()).isEqualTo(ChartUnderTest.NAMESPACE);
            assertThat(flatten(role.getRules()))
                    .containsExactlyInAnyOrderElementsOf(RequiredPermissions.operatorNamespaceRules());
        }
    }

    @Test
    void grantsNoSecretReadBecauseTheKubeletInjectsThePrometheusTokenAndTheFeedbackKeyIsOnlyCreated() {
        FledgeChart chart = ChartUnderTest.render("""
                operator: {prometheus: {auth: {existingSecret: prom-token}}}
                """);

        Stream<PolicyRule> rules = Stream.concat(
                chart.all(ClusterRole.class).stream().flatMap(r -> r.getRules().stream()),
                chart.all(Role.class).stream().flatMap(r -> r.getRules().stream()));
        assertThat(rules.filter(r -> r.getResources().contains("secrets")).toList())
                .as("the feedback-key Secrets are created, never read back")
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.getVerbs()).containsExactly("create");
                    assertThat(r.getResources()).containsExactly("secrets");
                });
    }

    @Test
    void watchNamespacesModeCreatesNoClusterRoleForModelReleases() {
        assertThat(NAMESPACED.all(ClusterRole.class)).noneMatch(r -> grantsModelReleases(r.getRules()));
    }

    /**
     * The one cluster-scoped grant with watchNamespaces: get on GatewayClasses (the shadow stage's RequestMirror check),
     * bound to the operator's account only; none with {@code rbac.gatewayClassReader: false}.
     */
    @Test
    void watchNamespacesModeHasOnlyTheGatewayClassReaderClusterWideAndItCanBeLeftOut() {
        assertThat(NAMESPACED.all(ClusterRole.class)).singleElement().satisfies(r -> {
            assertThat(r.getMetadata().getName()).isEqualTo("fledge-gatewayclass-reader");
            assertThat(flatten(r.getRules()))
                    .containsExactlyInAnyOrderElementsOf(RequiredPermissions.clusterScopedRules());
        });
        assertThat(NAMESPACED.all(ClusterRoleBinding.class))
                .singleElement()
                .satisfies(b -> assertThat(b.getRoleRef().getName()).isEqualTo("fledge-gatewayclass-reader"));
        FledgeChart without = ChartUnderTest.render("""
                watchNamespaces: [ml]
                rbac: {create: true, gatewayClassReader: false}
                """);
        assertThat(without.all(ClusterRole.class)).isEmpty();
        assertThat(without.all(ClusterRoleBinding.class)).isEmpty();
    }

    @Test
    void watchNamespacesModeGrantsTheRequiredPermissionsInEachWatchedNamespaceOnly() {
        List<Role> watched = NAMESPACED.all(Role.class).stream()
                .filter(r -> r.getMetadata().getName().equals("fledge"))
                .toList();

        assertThat(watched)
                .extracting(r -> r.getMetadata().getNamespace())
                .containsExactlyInAnyOrder("ml", "ml-staging");
        assertThat(watched)
                .allSatisfy(r -> assertThat(flatten(r.getRules()))
                        .containsExactlyInAnyOrderElementsOf(RequiredPermissions.watchedNamespaceRules()));
    }

    @Test
    void gatewayNamespacesGetOnlyReadAccessToGateways() {
        FledgeChart chart = ChartUnderTest.render("""
                watchNamespaces: [ml]
                gatewayNamespaces: [gateway-system, ml]
                """);
        List<Role> readers = chart.all(Role.class).stream()
                .filter(r -> r.getMetadata().getName().equals("fledge-gateway-reader"))
                .toList();

        assertThat(readers).extracting(r -> r.getMetadata().getNamespace()).containsExactly("gateway-system");
        assertThat(flatten(readers.get(0).getRules()))
                .containsExactlyInAnyOrderElementsOf(RequiredPermissions.gatewayNamespaceRules());
        assertThat(chart.all(ClusterRole.class))
                .extracting(r -> r.getMetadata().getName())
                .containsExactly("fledge-gatewayclass-reader");
    }

    @Test
    void watchNamespacesModeTellsTheOperatorWhichNamespacesToWatch() {
        var container = NAMESPACED
                .one(Deployment.class)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);

        assertThat(DefaultRenderTest.env(container)
                        .get("QUARKUS_OPERATOR_SDK_NAMESPACES")
                        .getValue())
                .isEqualTo("ml,ml-staging");
    }

    @Test
    void everyBindingBindsOnlyTheOperatorServiceAccountToTheChartsOwnRole() {
        Subject operator = new Subject(null, "ServiceAccount", "fledge", ChartUnderTest.NAMESPACE);
        for (FledgeChart chart : List.of(CLUSTER_WIDE, NAMESPACED)) {
            Set<String> roles = new HashSet<>();
            chart.all(Role.class)
                    .forEach(r -> roles.add(r.getMetadata().getNamespace() + "/"
                            + r.getMetadata().getName()));

            assertThat(chart.all(RoleBinding.class)).allSatisfy(b -> {
                assertThat(b.getSubjects()).containsExactly(operator);
                assertThat(roles)
                        .contains(b.getMetadata().getNamespace() + "/"
                                + b.getRoleRef().getName());
            });
            Set<String> clusterRoles = new HashSet<>();
            chart.all(ClusterRole.class)
                    .forEach(r -> clusterRoles.add(r.getMetadata().getName()));
            assertThat(chart.all(ClusterRoleBinding.class)).allSatisfy(b -> {
                assertThat(b.getSubjects()).containsExactly(operator);
                assertThat(b.getRoleRef().getName()).isIn("fledge", "fledge-gatewayclass-reader");
                assertThat(clusterRoles).contains(b.getRoleRef().getName());
            });
        }
    }

    @Test
    void aggregatedUserRolesLetNamespaceEditorsManageModelReleases() {
        ClusterRole edit = CLUSTER_WIDE.all(ClusterRole.class).stream()
                .filter(r -> r.getMetadata().getName().equals("fledge-modelrelease-edit"))
                .findFirst()
                .orElseThrow();

        assertThat(edit.getMetadata().getLabels()).containsEntry("rbac.authorization.k8s.io/aggregate-to-edit", "true");
        assertThat(edit.getRules())
                .singleElement()
                .satisfies(r -> assertThat(r.getResources()).containsExactly("modelreleases"));
    }

    @Test
    void rbacCanBeLeftToTheCluster() {
        FledgeChart chart = ChartUnderTest.render("rbac: {create: false}\n");

        assertThat(chart.all(ClusterRole.class)).isEmpty();
        assertThat(chart.all(Role.class)).isEmpty();
        assertThat(chart.all(ClusterRoleBinding.class)).isEmpty();
        assertThat(chart.all(RoleBinding.class)).isEmpty();
    }

    @Test
    void webhookSecretsAreReadableByNameOnlyAndOnlyWhenListed() {
        for (String watch : List.of("", "watchNamespaces: [ml]\n")) {
            FledgeChart chart =
                    ChartUnderTest.render(watch + "operator: {notifications: {secretNames: [fledge-webhooks]}}\n");
            List<PolicyRule> rules = Stream.concat(
                            chart.all(ClusterRole.class).stream()
                                    .filter(r -> r.getMetadata().getName().equals("fledge"))
                                    .flatMap(r -> r.getRules().stream()),
                            chart.all(Role.class).stream()
                                    .filter(r -> r.getMetadata().getName().equals("fledge"))
                                    .flatMap(r -> r.getRules().stream()))
                    .toList();
            List<PolicyRule> secrets = rules.stream()
                    .filter(r -> r.getResources().contains("secrets"))
                    .filter(r -> r.getVerbs().contains("get"))
                    .toList();

            assertThat(secrets).as(watch).singleElement().satisfies(r -> {
                assertThat(r.getResourceNames()).containsExactly("fledge-webhooks");
                assertThat(r.getVerbs()).containsExactly("get");
            });
            Set<Rule> expected = new HashSet<>(RequiredPermissions.watchedNamespaceRules());
            expected.add(RequiredPermissions.notificationSecretRule());
            if (watch.isEmpty()) {
                expected.addAll(RequiredPermissions.clusterScopedRules());
            }
            assertThat(flatten(rules)).containsExactlyInAnyOrderElementsOf(expected);
        }
    }
}
