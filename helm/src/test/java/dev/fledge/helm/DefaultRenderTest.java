package dev.fledge.helm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.testsupport.FledgeChart;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DefaultRenderTest {

    private static final FledgeChart CHART = ChartUnderTest.render();

    private static Container operator() {
        return CHART.one(Deployment.class)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
    }

    static Map<String, EnvVar> env(Container container) {
        return container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
    }

    @Test
    void runsOneOperatorReplicaOfTheChartsAppVersion() {
        Deployment deployment = CHART.one(Deployment.class);

        assertThat(deployment.getMetadata().getNamespace()).isEqualTo(ChartUnderTest.NAMESPACE);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
        assertThat(operator().getImage()).isEqualTo("fledge/operator:0.1.0");
    }

    @Test
    void upgradesReplaceTheOldPodFirstSoNoPodWaitsForTheLeaseOfAnother() {
        var rollingUpdate = CHART.one(Deployment.class).getSpec().getStrategy().getRollingUpdate();

        assertThat(rollingUpdate.getMaxSurge().getIntVal()).isZero();
        assertThat(rollingUpdate.getMaxUnavailable().getIntVal()).isEqualTo(1);
    }

    @Test
    void createsNoDisruptionBudgetForASingleReplica() {
        assertThat(CHART.all(PodDisruptionBudget.class)).isEmpty();
    }

    @Test
    void runsAsItsOwnServiceAccount() {
        ServiceAccount account = CHART.one(ServiceAccount.class);

        assertThat(CHART.one(Deployment.class).getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo(account.getMetadata().getName());
    }

    @Test
    void probesQuarkusHealthEndpointsOnTheHttpPort() {
        Container container = operator();

        assertThat(container.getPorts())
                .singleElement()
                .satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(8080));
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
        assertThat(container.getStartupProbe().getHttpGet().getPath()).isEqualTo("/q/health/started");
    }

    @Test
    void setsResourceRequestsAndAMemoryLimit() {
        var resources = operator().getResources();

        assertThat(resources.getRequests()).containsKeys("cpu", "memory");
        assertThat(resources.getLimits()).containsKey("memory");
    }

    @Test
    void watchesAllNamespacesWithLeaderElectionOnALease() {
        Map<String, EnvVar> env = env(operator());

        assertThat(env.get("QUARKUS_OPERATOR_SDK_NAMESPACES").getValue()).isEqualTo("JOSDK_ALL_NAMESPACES");
        assertThat(env.get("FLEDGE_LEADER_ELECTION_ENABLED").getValue()).isEqualTo("true");
        assertThat(env.get("FLEDGE_LEADER_ELECTION_LEASE_NAME").getValue()).isEqualTo("fledge-leader");
        assertThat(env.get("FLEDGE_LEADER_ELECTION_LEASE_NAMESPACE").getValue()).isEqualTo(ChartUnderTest.NAMESPACE);
    }

    @Test
    void passesTheAnalysisAndPrometheusDefaultsWithoutCredentials() {
        Map<String, EnvVar> env = env(operator());

        assertThat(env.get("FLEDGE_ANALYSIS_DEFAULT_INTERVAL").getValue()).isEqualTo("1m");
        // through prom-label-proxy beside the operator, which forwards to the configured Prometheus
        assertThat(env.get("FLEDGE_PROMETHEUS_URL").getValue()).isEqualTo("http://127.0.0.1:9091");
        assertThat(env.get("FLEDGE_PROMETHEUS_ENFORCED_LABEL").getValue()).isEqualTo("namespace");
        assertThat(env).doesNotContainKeys("FLEDGE_PROMETHEUS_BEARER_TOKEN", "FLEDGE_SAFETY_DEFAULT_JUDGE_URL");
    }

    @Test
    void exposesMetricsThroughAServiceButCreatesNoPrometheusOperatorObjects() {
        Service service = CHART.one(Service.class);

        assertThat(service.getSpec().getSelector())
                .isEqualTo(CHART.one(Deployment.class).getSpec().getSelector().getMatchLabels());
        assertThat(service.getSpec().getPorts())
                .singleElement()
                .satisfies(p -> assertThat(p.getName()).isEqualTo("http-metrics"));
        assertThat(CHART.ofKind("ServiceMonitor")).isEmpty();
        assertThat(CHART.ofKind("PrometheusRule")).isEmpty();
    }

    @Test
    void shipsTheGrafanaDashboardForTheSidecar() {
        ConfigMap dashboard = CHART.one(ConfigMap.class);

        assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        assertThat(dashboard.getData()).containsKey("fledge-releases.json");
    }

    @Test
    void labelsEveryObjectAsPartOfTheRelease() {
        assertThat(CHART.objects())
                .allSatisfy((HasMetadata o) -> assertThat(o.getMetadata().getLabels())
                        .containsEntry("app.kubernetes.io/instance", FledgeChart.RELEASE)
                        .containsEntry("app.kubernetes.io/part-of", "fledge"));
    }
}
