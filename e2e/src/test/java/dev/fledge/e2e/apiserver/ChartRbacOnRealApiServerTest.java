package dev.fledge.e2e.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fledge.api.ModelRelease;
import dev.fledge.e2e.rollout.ProductionReconciler;
import dev.fledge.e2e.rollout.RolloutScenario;
import dev.fledge.e2e.rollout.TestReleases;
import dev.fledge.operator.gates.safety.ConfigMapSafetyReports;
import dev.fledge.operator.gates.safety.FlaggedExample;
import dev.fledge.operator.gates.safety.SafetyReport;
import dev.fledge.operator.workload.Applier;
import dev.fledge.testsupport.DeploymentReadiness;
import dev.fledge.testsupport.FledgeChart;
import dev.fledge.testsupport.GatewaySimulator;
import dev.fledge.testsupport.InProcessOperator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The chart's RBAC, and nothing else, is enough to run the operator, and no more than that: the
 * chart's ServiceAccount, ClusterRole, leader-election Role and bindings (rendered by helm-java,
 * default values: cluster-wide mode) are applied, and the operator runs with a client that
 * impersonates the ServiceAccount. The test's own writes (the release, Deployment readiness) use
 * the admin client, as a user and the Deployment controller would.
 */
@Tag("apiserver")
class ChartRbacOnRealApiServerTest {

    static final String OPERATOR_NS = "fledge-system";
    static final String RELEASE_NS = "rbac-team";
    static final String OTHER_NS = "rbac-other";

    static KubernetesClient admin;
    static ChartAccount account;
    static KubernetesClient operatorAccount;
    static FledgeChart chart;

    @BeforeAll
    static void applyTheChartsRbac() {
        admin = RealApiServer.shared().client();
        chart = FledgeChart.render(
                // overridable to check that the test fails with a rule taken out of a chart copy
                Path.of(System.getProperty(
                        "fledge.chart.dir",
                        RepoFiles.repo().resolve("helm/fledge").toString())),
                OPERATOR_NS,
                System.getProperty("fledge.kube.version", "1.34.4"),
                Map.of());
        account = ChartAccount.apply(admin, chart, OPERATOR_NS, List.of(RELEASE_NS, OTHER_NS));
        operatorAccount = account.client();
        admin.secrets()
                .inNamespace(OTHER_NS)
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("db-password")
                        .endMetadata()
                        .addToStringData("password", "s3cret")
                        .build())
                .fieldManager(ClusterResources.FIELD_MANAGER)
                .serverSideApply();
    }

    @AfterAll
    static void close() {
        if (account != null) {
            account.close();
        }
    }

    /**
     * The gatewayAPI router touches the most: Deployments, Services, the HTTPRoute, a Gateway
     * read, the release's status and annotation, Events, and the leader-election Lease.
     */
    @Test
    void theChartsRbacAloneCarriesAFullRolloutAndAnAbort() {
        admin.resource(OperatorOnRealApiServerTest.gateway(RELEASE_NS, "public-gw"))
                .fieldManager(ClusterResources.FIELD_MANAGER)
                .serverSideApply();
        RolloutScenario scenario = new RolloutScenario(admin, RELEASE_NS, "assistant", Duration.ofSeconds(30));
        try (var kubelet = new DeploymentReadiness(admin, RELEASE_NS);
                // the Gateway controller accepts the routes with its own rights, not the operator account's
                var gateway = GatewaySimulator.start(admin, Set.of(RELEASE_NS));
                var operator = InProcessOperator.clusterWideWithLeaderElection(
                        operatorAccount,
                        ProductionReconciler.withoutGates(operatorAccount),
                        chart.operatorEnv("FLEDGE_LEADER_ELECTION_LEASE_NAME"),
                        chart.operatorEnv("FLEDGE_LEADER_ELECTION_LEASE_NAMESPACE"))) {
            scenario.firstReleaseIsPromoted(TestReleases.gatewayApi(RELEASE_NS, "assistant", "1.0.0", "public-gw"));
            scenario.gatewayApiRolloutIsPromoted(
                    TestReleases.gatewayApi(RELEASE_NS, "assistant", "2.0.0", "public-gw"), "public-gw");
            scenario.abortedRolloutRollsBack(
                    TestReleases.gatewayApi(RELEASE_NS, "assistant", "3.0.0", "public-gw"), true);
        }
        // issue 19 item 6: the release's response-id key was created by the account, owned by the release, and the
        // account cannot read it back
        var key = admin.secrets()
                .inNamespace(RELEASE_NS)
                .withName("assistant-feedback-key")
                .get();
        assertThat(key).isNotNull();
        assertThat(key.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o -> assertThat(o.getKind()).isEqualTo("ModelRelease"));
        assertThatThrownBy(() -> operatorAccount
                        .secrets()
                        .inNamespace(RELEASE_NS)
                        .withName("assistant-feedback-key")
                        .get())
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getCode()).isEqualTo(403));
        // the operator held its Lease as the ServiceAccount
        assertThat(admin.leases()
                        .inNamespace(chart.operatorEnv("FLEDGE_LEADER_ELECTION_LEASE_NAMESPACE"))
                        .withName(chart.operatorEnv("FLEDGE_LEADER_ELECTION_LEASE_NAME"))
                        .get())
                .isNotNull();
    }

    @Test
    void theOperatorAccountCannotReadSecretsAnywhereNorTouchCrdsNorGrantItselfMore() {
        // controls: the same review answers yes to what the operator does need
        assertThat(allowed("patch", "fledge.dev", "modelreleases", "status", RELEASE_NS))
                .isTrue();
        assertThat(allowed("create", "apps", "deployments", null, RELEASE_NS)).isTrue();

        // the response-id key Secrets are created, never read (docs/security.md)
        assertThat(allowed("create", "", "secrets", null, RELEASE_NS)).isTrue();
        assertThat(allowed("get", "", "secrets", null, RELEASE_NS)).isFalse();
        assertThat(allowed("update", "", "secrets", null, RELEASE_NS)).isFalse();
        assertThat(allowed("watch", "", "secrets", null, RELEASE_NS)).isFalse();
        assertThat(allowed("get", "", "secrets", null, OTHER_NS)).isFalse();
        assertThat(allowed("list", "", "secrets", null, null)).isFalse();
        assertThat(allowed("get", "", "secrets", null, OPERATOR_NS)).isFalse();
        assertThat(allowed("delete", "apiextensions.k8s.io", "customresourcedefinitions", null, null))
                .isFalse();
        assertThat(allowed("update", "apiextensions.k8s.io", "customresourcedefinitions", null, null))
                .isFalse();
        assertThat(allowed("delete", "fledge.dev", "modelreleases", null, RELEASE_NS))
                .isFalse();
        assertThat(allowed("update", "fledge.dev", "modelreleases", null, RELEASE_NS))
                .isFalse();
        assertThat(allowed("create", "rbac.authorization.k8s.io", "rolebindings", null, RELEASE_NS))
                .isFalse();
        assertThat(allowed("escalate", "rbac.authorization.k8s.io", "clusterroles", null, null))
                .isFalse();
        assertThat(allowed("create", "", "pods", "exec", RELEASE_NS)).isFalse();
        assertThat(allowed("create", "coordination.k8s.io", "leases", null, RELEASE_NS))
                .isFalse();

        // and the real calls are refused (403), not just the reviews
        assertThatThrownBy(() -> operatorAccount
                        .secrets()
                        .inNamespace(OTHER_NS)
                        .withName("db-password")
                        .get())
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getCode()).isEqualTo(403));
        assertThatThrownBy(() -> operatorAccount.secrets().inAnyNamespace().list())
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getCode()).isEqualTo(403));
        assertThatThrownBy(() -> operatorAccount
                        .apiextensions()
                        .v1()
                        .customResourceDefinitions()
                        .withName("modelreleases.fledge.dev")
                        .delete())
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getCode()).isEqualTo(403));
        assertThat(new ClusterResources(admin).awaitEstablished("modelreleases.fledge.dev"))
                .isNotNull();
    }

    /**
     * The safety report ConfigMap is written by server-side apply as the operator's account, with
     * the release as its owner; the account may create and patch ConfigMaps, not delete or update
     * them.
     */
    @Test
    void theOperatorAccountWritesTheSafetyReportOwnedByTheRelease() {
        ModelRelease mr = admin.resource(TestReleases.replicas(RELEASE_NS, "reported", "1.0.0"))
                .fieldManager(ClusterResources.FIELD_MANAGER)
                .serverSideApply();
        var reports = new ConfigMapSafetyReports(new Applier(operatorAccount, Clock.systemUTC()));
        SafetyReport report = new SafetyReport(
                "reported",
                "1.0.0",
                "preflight",
                "2026-11-28T12:00:00Z",
                "red-team",
                "0123456789ab",
                2,
                2,
                1,
                Map.of("violence", new SafetyReport.Counts(2, 1)),
                Map.of("violence", 1L),
                List.of(new FlaggedExample("p1", "violence", List.of("violence"), "a prompt", "an output")),
                new SafetyReport.Counts(2, 1));
        assertThat(reports.publish(mr, report)).isEqualTo("reported-safety-report");
        // a second run patches the same object
        assertThat(reports.publish(mr, report)).isEqualTo("reported-safety-report");
        var cm = admin.configMaps()
                .inNamespace(RELEASE_NS)
                .withName("reported-safety-report")
                .get();
        assertThat(cm.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(
                        o -> assertThat(o.getUid()).isEqualTo(mr.getMetadata().getUid()));
        assertThat(cm.getData().get(ConfigMapSafetyReports.KEY)).contains("an output");
        assertThat(allowed("delete", "", "configmaps", null, RELEASE_NS)).isFalse();
        assertThat(allowed("update", "", "configmaps", null, RELEASE_NS)).isFalse();
        // issue 15, finding 8: nothing lists or watches ConfigMaps, so the account may not
        assertThat(allowed("list", "", "configmaps", null, RELEASE_NS)).isFalse();
        assertThat(allowed("watch", "", "configmaps", null, RELEASE_NS)).isFalse();
        // no operator runs here; do not leave a release for the rollout test's operator to pick up
        admin.resource(mr).delete();
    }

    /**
     * Everything the chart renders with the k3s tier's values (that tier cannot run everywhere)
     * passes a server-side dry-run apply on the real API server.
     */
    @Test
    void theWholeChartAsTheK3sTierInstallsItIsAcceptedByTheRealApiServer() {
        FledgeChart k3s = FledgeChart.render(
                RepoFiles.repo().resolve("helm/fledge"),
                OPERATOR_NS,
                System.getProperty("fledge.kube.version", "1.34.4"),
                FledgeChart.K3S_VALUES);
        var cluster = new ClusterResources(admin);
        assertThat(k3s.objects())
                .extracting(HasMetadata::getKind)
                .contains("Deployment", "ServiceAccount", "ClusterRole");
        for (HasMetadata o : k3s.objects()) {
            assertThat(cluster.dryRunApply(o, OPERATOR_NS)).as(o.getKind()).isNotNull();
        }
    }

    static boolean allowed(String verb, String group, String resource, String subresource, String namespace) {
        return account.allowed(verb, group, resource, subresource, namespace);
    }
}
