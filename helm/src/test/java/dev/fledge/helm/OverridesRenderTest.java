package dev.fledge.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fledge.testsupport.FledgeChart;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OverridesRenderTest {

    private static Container operator(FledgeChart chart) {
        return chart.one(Deployment.class)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(HasMetadata resource) {
        return (Map<String, Object>)
                ((GenericKubernetesResource) resource).getAdditionalProperties().get("spec");
    }

    @Test
    void twoReplicasGetADisruptionBudgetAndSpreadOverNodes() {
        FledgeChart chart = ChartUnderTest.render("replicaCount: 2\n");
        Deployment deployment = chart.one(Deployment.class);
        PodDisruptionBudget pdb = chart.one(PodDisruptionBudget.class);

        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
        assertThat(pdb.getSpec().getSelector().getMatchLabels())
                .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(deployment
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getAffinity()
                        .getPodAntiAffinity()
                        .getPreferredDuringSchedulingIgnoredDuringExecution())
                .hasSize(1);
    }

    @Test
    void operatorSettingsReachTheContainerEnvironment() {
        FledgeChart chart = ChartUnderTest.render("""
                image: {tag: "0.2.0-rc.1"}
                leaderElection: {leaseName: fledge-lock}
                operator:
                  logLevel: DEBUG
                  analysis: {defaultInterval: 30s}
                  safety: {defaultJudgeUrl: "http://guard.ml.svc:8080/v1/moderations"}
                  prometheus:
                    url: https://prometheus.example.com
                    auth: {existingSecret: prom-token, tokenKey: bearer}
                    labelProxy: {enabled: false}
                """);
        Container container = operator(chart);
        Map<String, EnvVar> env = DefaultRenderTest.env(container);

        assertThat(container.getImage()).isEqualTo("fledge/operator:0.2.0-rc.1");
        assertThat(env.get("FLEDGE_ANALYSIS_DEFAULT_INTERVAL").getValue()).isEqualTo("30s");
        assertThat(env.get("FLEDGE_SAFETY_DEFAULT_JUDGE_URL").getValue())
                .isEqualTo("http://guard.ml.svc:8080/v1/moderations");
        assertThat(env.get("FLEDGE_PROMETHEUS_URL").getValue()).isEqualTo("https://prometheus.example.com");
        assertThat(env.get("FLEDGE_PROMETHEUS_BEARER_TOKEN").getValue()).isNull();
        assertThat(env.get("FLEDGE_PROMETHEUS_BEARER_TOKEN").getValueFrom().getSecretKeyRef())
                .satisfies(ref -> {
                    assertThat(ref.getName()).isEqualTo("prom-token");
                    assertThat(ref.getKey()).isEqualTo("bearer");
                });
        assertThat(env.get("FLEDGE_LEADER_ELECTION_LEASE_NAME").getValue()).isEqualTo("fledge-lock");
        assertThat(env.get("QUARKUS_LOG_LEVEL").getValue()).isEqualTo("DEBUG");
    }

    @Test
    void notificationsWebhookComesFromTheSecretWhenOneIsNamed() {
        var env = DefaultRenderTest.env(operator(ChartUnderTest.render("""
                operator:
                  notifications:
                    webhookUrl: https://hooks.example.com/ignored
                    existingSecret: fledge-slack
                    urlKey: webhook
                    format: slack
                    events: [RolledBack, Promoted]
                """)));

        assertThat(env.get("FLEDGE_NOTIFICATIONS_WEBHOOK_URL").getValue()).isNull();
        assertThat(env.get("FLEDGE_NOTIFICATIONS_WEBHOOK_URL").getValueFrom().getSecretKeyRef())
                .satisfies(ref -> {
                    assertThat(ref.getName()).isEqualTo("fledge-slack");
                    assertThat(ref.getKey()).isEqualTo("webhook");
                });
        assertThat(env.get("FLEDGE_NOTIFICATIONS_FORMAT").getValue()).isEqualTo("slack");
        assertThat(env.get("FLEDGE_NOTIFICATIONS_EVENTS").getValue()).isEqualTo("RolledBack,Promoted");
    }

    @Test
    void notificationsWebhookUrlIsPassedAsIsWithoutASecret() {
        var env = DefaultRenderTest.env(operator(ChartUnderTest.render(
                "operator: {notifications: {webhookUrl: 'https://hooks.example.com/fledge'}}\n")));

        assertThat(env.get("FLEDGE_NOTIFICATIONS_WEBHOOK_URL").getValue())
                .isEqualTo("https://hooks.example.com/fledge");
        assertThat(env.get("FLEDGE_NOTIFICATIONS_FORMAT").getValue()).isEqualTo("generic");
        assertThat(env).doesNotContainKey("FLEDGE_NOTIFICATIONS_EVENTS");
    }

    /**
     * Issue 20: with the names of all shards, the same list in every install, each install's selector is derived, so
     * that together they split the releases: the first takes every value but the others' (no label too), each other
     * its own. The operator accepts each; a shard outside the list, a name twice, or a hand-written selector beside
     * the list are refused.
     */
    @Test
    void shardsFromOneListGetSelectorsThatSplitTheReleases() {
        Map<String, String> selectors = new java.util.LinkedHashMap<>();
        for (String shard : List.of("a", "b", "c")) {
            selectors.put(
                    shard,
                    DefaultRenderTest.env(operator(
                                    ChartUnderTest.render("sharding: {shards: [a, b, c], shard: " + shard + "}\n")))
                            .get("FLEDGE_SHARDING_SELECTOR")
                            .getValue());
        }
        assertThat(DefaultRenderTest.env(operator(ChartUnderTest.render("sharding: {shards: [a, b, c], shard: b}\n")))
                        .get("FLEDGE_LEADER_ELECTION_LEASE_NAME")
                        .getValue())
                .as("a Lease per shard: two installs of one shard take turns")
                .isEqualTo("fledge-shard-b-leader");
        assertThat(selectors)
                .containsExactly(
                        Map.entry("a", "fledge.dev/shard notin (b,c)"),
                        Map.entry("b", "fledge.dev/shard=b"),
                        Map.entry("c", "fledge.dev/shard=c"));
        selectors
                .values()
                .forEach(s -> assertThat(dev.fledge.operator.config.Shard.of(s).sharded())
                        .isTrue());
        assertThat(DefaultRenderTest.env(operator(ChartUnderTest.render("sharding: {shards: [a], shard: a}\n"))))
                .as("a single shard is every release")
                .doesNotContainKey("FLEDGE_SHARDING_SELECTOR");

        assertThatThrownBy(() -> ChartUnderTest.renderText("sharding: {shards: [a, b], shard: c}\n"))
                .hasMessageContaining("sharding.shard \"c\" is not one of sharding.shards [a b]");
        assertThatThrownBy(() -> ChartUnderTest.renderText("sharding: {shards: [a, b]}\n"))
                .hasMessageContaining("is not one of sharding.shards");
        assertThatThrownBy(() -> ChartUnderTest.renderText(
                        "sharding: {shards: [a, b], shard: b, selector: 'fledge.dev/shard=b'}\n"))
                .hasMessageContaining("not both");
        assertThatThrownBy(() -> ChartUnderTest.renderText("sharding: {shard: b}\n"))
                .hasMessageContaining("sharding.shard needs sharding.shards");
        assertThatThrownBy(() -> ChartUnderTest.renderText("sharding: {shards: [a, b, a], shard: a}\n"))
                .hasMessageContaining("/sharding/shards");
        // a shard names its Lease: lower case only
        assertThatThrownBy(() -> ChartUnderTest.renderText("sharding: {shards: [a, GPU], shard: GPU}\n"))
                .hasMessageContaining("/sharding/shards");
        // two installs of one shard must take turns on its Lease
        assertThatThrownBy(() -> ChartUnderTest.renderText(
                        "sharding: {shards: [a, b], shard: b}\nleaderElection: {enabled: false}\n"))
                .hasMessageContaining("needs leaderElection.enabled");
        assertThatThrownBy(() -> ChartUnderTest.renderText(
                        "sharding: {shards: [a, b], shard: b}\nleaderElection: {leaseName: one-for-all}\n"))
                .hasMessageContaining("leave leaderElection.leaseName empty");
    }

    /** Issue 20: one install per shard; its selector reaches the operator, which hands it to the informers. */
    @Test
    void aShardSelectorReachesTheOperatorAndNoneMeansEveryRelease() {
        var env = DefaultRenderTest.env(
                operator(
                        ChartUnderTest.render(
                                "sharding: {selector: 'fledge.dev/shard notin (b)'}\nleaderElection: {enabled: true, leaseName: fledge-shard-a}\n")));
        assertThat(env.get("FLEDGE_SHARDING_SELECTOR").getValue()).isEqualTo("fledge.dev/shard notin (b)");
        assertThat(env.get("FLEDGE_LEADER_ELECTION_LEASE_NAME").getValue()).isEqualTo("fledge-shard-a");

        assertThat(DefaultRenderTest.env(operator(ChartUnderTest.render("{}\n"))))
                .doesNotContainKey("FLEDGE_SHARDING_SELECTOR");
    }

    @Test
    void disabledLeaderElectionDropsTheLeaseRole() {
        FledgeChart chart = ChartUnderTest.render("leaderElection: {enabled: false}\n");

        assertThat(DefaultRenderTest.env(operator(chart))
                        .get("FLEDGE_LEADER_ELECTION_ENABLED")
                        .getValue())
                .isEqualTo("false");
        assertThat(chart.ofKind("Role")).isEmpty();
    }

    @Test
    void serviceMonitorScrapesTheMetricsServiceOnQuarkusMetricsPath() {
        FledgeChart chart = ChartUnderTest.render("""
                serviceMonitor: {enabled: true, interval: 15s, labels: {release: kube-prometheus-stack}}
                """);
        HasMetadata monitor = chart.ofKind("ServiceMonitor").get(0);

        assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
        @SuppressWarnings("unchecked")
        Map<String, Object> endpoint =
                ((List<Map<String, Object>>) spec(monitor).get("endpoints")).get(0);
        assertThat(endpoint)
                .containsEntry("port", "http-metrics")
                .containsEntry("path", "/q/metrics")
                .containsEntry("interval", "15s");
    }

    @Test
    void theDefaultModelServerImageIsAChartValue() {
        assertThat(DefaultRenderTest.env(operator(ChartUnderTest.render("{}\n")))
                        .get("FLEDGE_SERVER_DEFAULT_IMAGE")
                        .getValue())
                .isEqualTo("fledge/model-server:0.1.0");
        assertThat(DefaultRenderTest.env(
                                operator(
                                        ChartUnderTest.render(
                                                "operator: {modelPods: {defaultImage: registry.example.com/fledge/model-server:0.1.0}}\n")))
                        .get("FLEDGE_SERVER_DEFAULT_IMAGE")
                        .getValue())
                .isEqualTo("registry.example.com/fledge/model-server:0.1.0");
    }

    @Test
    void aPrometheusCaReachesTheProxyOrTheOperatorWhicheverTalksToPrometheus() {
        FledgeChart proxied = ChartUnderTest.render("operator: {prometheus: {tls: {caConfigMap: service-ca}}}\n");
        var pod = proxied.one(Deployment.class).getSpec().getTemplate().getSpec();
        Container proxy = pod.getContainers().stream()
                .filter(c -> c.getName().equals("prom-label-proxy"))
                .findFirst()
                .orElseThrow();

        assertThat(pod.getVolumes())
                .filteredOn(v -> v.getConfigMap() != null)
                .extracting(v -> v.getConfigMap().getName())
                .containsExactly("service-ca");
        assertThat(proxy.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("SSL_CERT_FILE");
            assertThat(e.getValue()).isEqualTo("/etc/fledge/prometheus-ca/ca.crt");
        });
        assertThat(proxy.getVolumeMounts())
                .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/etc/fledge/prometheus-ca"));

        FledgeChart direct = ChartUnderTest.render(
                "operator: {prometheus: {url: 'https://prometheus:9090', labelProxy: {enabled: false},"
                        + " tls: {caConfigMap: service-ca, caKey: bundle.pem}}}\n");
        assertThat(DefaultRenderTest.env(operator(direct))
                        .get("FLEDGE_PROMETHEUS_TLS_CA_FILE")
                        .getValue())
                .isEqualTo("/etc/fledge/prometheus-ca/bundle.pem");
        assertThat(operator(direct).getVolumeMounts())
                .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/etc/fledge/prometheus-ca"));
    }

    @Test
    void prometheusRuleIsRenderedOnlyWhenAsked() {
        assertThat(ChartUnderTest.render("prometheusRule: {enabled: true}\n").ofKind("PrometheusRule"))
                .hasSize(1);
    }

    @Test
    void dashboardCanBeShippedToGrafanasNamespace() {
        FledgeChart chart = ChartUnderTest.render("grafanaDashboard: {namespace: monitoring}\n");

        assertThat(chart.one(ConfigMap.class).getMetadata().getNamespace()).isEqualTo("monitoring");
        assertThat(ChartUnderTest.render("grafanaDashboard: {enabled: false}\n").all(ConfigMap.class))
                .isEmpty();
    }

    @Test
    void extraEnvIsAppendedToTheOperatorEnvironment() {
        FledgeChart chart = ChartUnderTest.render("""
                operator: {extraEnv: [{name: QUARKUS_OPERATOR_SDK_CONCURRENT_RECONCILIATION_THREADS, value: "4"}]}
                """);

        assertThat(DefaultRenderTest.env(operator(chart)))
                .containsKey("QUARKUS_OPERATOR_SDK_CONCURRENT_RECONCILIATION_THREADS");
    }

    @Test
    void jvmOptionsSetTheOperatorsJavaToolOptionsAndEmptyOrMissingMeansTheDefault() {
        String chartDefault = ChartUnderTest.render().operatorEnv("JAVA_TOOL_OPTIONS");
        assertThat(chartDefault).contains("-XX:+ExitOnOutOfMemoryError", "-XX:MaxRAMPercentage=40", "-XX:NewRatio=7");
        // helm upgrade --reuse-values from a chart without the key: the value is missing, not the new default
        assertThat(ChartUnderTest.render("operator: {jvmOptions: null}\n").operatorEnv("JAVA_TOOL_OPTIONS"))
                .isEqualTo(chartDefault);
        FledgeChart large = ChartUnderTest.render("""
                operator: {jvmOptions: "-XX:+UseG1GC -XX:MaxRAMPercentage=70 -XX:+ExitOnOutOfMemoryError"}
                """);
        assertThat(large.operatorEnv("JAVA_TOOL_OPTIONS"))
                .isEqualTo("-XX:+UseG1GC -XX:MaxRAMPercentage=70 -XX:+ExitOnOutOfMemoryError");
    }
}
