package dev.fledge.helm;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** values.schema.json refuses bad values at install time, and names the offending value. */
class ValuesSchemaTest {

    static Stream<Arguments> badValues() {
        return Stream.of(
                arguments("three replicas", "replicaCount: 3", "/replicaCount", "one of 1, 2"),
                arguments("replicas as text", "replicaCount: two", "/replicaCount", "want integer"),
                arguments(
                        "two replicas without leader election",
                        "replicaCount: 2\nleaderElection: {enabled: false}",
                        "/leaderElection/enabled",
                        "must be true"),
                arguments("a misspelt key", "replicas: 2", "'replicas'", "not allowed"),
                arguments(
                        "a misspelt nested key",
                        "operator: {prometheus: {ur1: http://p:9090}}",
                        "'ur1'",
                        "not allowed"),
                arguments("an unknown pull policy", "image: {pullPolicy: Sometimes}", "/image/pullPolicy", "Always"),
                arguments("an image tag with a space", "image: {tag: 'v 1'}", "/image/tag", "'v 1'"),
                arguments(
                        "a namespace that is not a DNS label",
                        "watchNamespaces: [Bad_NS]",
                        "/watchNamespaces/0",
                        "'Bad_NS'"),
                arguments("watchNamespaces as a string", "watchNamespaces: ml", "/watchNamespaces", "want array"),
                arguments("a namespace listed twice", "watchNamespaces: [ml, ml]", "/watchNamespaces", "are equal"),
                arguments(
                        "an interval in words",
                        "operator: {analysis: {defaultInterval: 5 minutes}}",
                        "/operator/analysis/defaultInterval",
                        "'5 minutes'"),
                arguments(
                        "a judge URL without a scheme",
                        "operator: {safety: {defaultJudgeUrl: guard:8080}}",
                        "/operator/safety/defaultJudgeUrl",
                        "guard:8080"),
                arguments(
                        "a Prometheus URL without a scheme",
                        "operator: {prometheus: {url: 'prometheus:9090'}}",
                        "/operator/prometheus/url",
                        "'prometheus:9090'"),
                arguments(
                        "a Secret name with capitals",
                        "operator: {prometheus: {auth: {existingSecret: Prom_Token}}}",
                        "/operator/prometheus/auth/existingSecret",
                        "Prom_Token"),
                arguments("an unknown log level", "operator: {logLevel: LOUD}", "/operator/logLevel", "INFO"),
                arguments(
                        "a negative sample limit",
                        "modelPodMonitor: {sampleLimit: -1}",
                        "/modelPodMonitor/sampleLimit",
                        "minimum"),
                arguments(
                        "a label limit in words",
                        "modelPodMonitor: {labelLimit: many}",
                        "/modelPodMonitor/labelLimit",
                        "want integer"),
                arguments("running as root", "securityContext: {runAsUser: 0}", "/securityContext/runAsUser", "got 0"),
                arguments(
                        "weakening the hardening",
                        "securityContext: {readOnlyRootFilesystem: false}",
                        "'readOnlyRootFilesystem'",
                        "not allowed"),
                arguments("no memory limit", "resources: {limits: {memory: null}}", "/resources/limits", "memory"),
                arguments(
                        "a scrape interval in words",
                        "serviceMonitor: {interval: often}",
                        "/serviceMonitor/interval",
                        "'often'"),
                arguments(
                        "an unknown alert severity",
                        "prometheusRule: {severity: page}",
                        "/prometheusRule/severity",
                        "critical"),
                arguments(
                        "an unknown notification format",
                        "operator: {notifications: {format: teams}}",
                        "/operator/notifications/format",
                        "slack"),
                arguments(
                        "an unknown notification event",
                        "operator: {notifications: {events: [Rollback]}}",
                        "/operator/notifications/events/0",
                        "RolledBack"),
                arguments(
                        "a webhook URL without a scheme",
                        "operator: {notifications: {webhookUrl: hooks.slack.com/x}}",
                        "/operator/notifications/webhookUrl",
                        "hooks.slack.com/x"),
                arguments(
                        "the old stuck-rollout setting",
                        "prometheusRule: {rolloutStuckAfter: 3h}",
                        "'rolloutStuckAfter'",
                        "not allowed"),
                arguments(
                        "an allowed parentRef without a namespace",
                        "operator: {routing: {allowedParentRefs: [shared-gw]}}",
                        "/operator/routing/allowedParentRefs/0",
                        "does not match"),
                arguments(
                        "a shard selector on another label (the operator's Deployments do not carry it)",
                        "sharding: {selector: 'team=a'}",
                        "/sharding/selector",
                        "does not match"),
                arguments(
                        "a metrics port out of range",
                        "metrics: {service: {port: 70000}}",
                        "/metrics/service/port",
                        "got 70,000"));
    }

    @ParameterizedTest(name = "refuses {0}")
    @MethodSource("badValues")
    void refusesBadValuesNamingThem(String description, String values, String path, String detail) {
        assertThatThrownBy(() -> ChartUnderTest.renderText(values + "\n"))
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining(path)
                .hasMessageContaining(detail);
    }

    @ParameterizedTest(name = "accepts {0}")
    @ValueSource(
            strings = {
                "replicaCount: 2",
                "watchNamespaces: [ml, ml-staging]",
                "operator: {analysis: {defaultInterval: 250ms}, safety: {defaultJudgeUrl: 'https://guard.example.com/v1/moderations'}}",
                "securityContext: {runAsUser: null, runAsGroup: null, fsGroup: null}",
                "serviceMonitor: {enabled: true, interval: 1m30s}\nprometheusRule: {enabled: true, rolloutStuckGrace: 1d}",
                "operator: {notifications: {webhookUrl: 'https://hooks.slack.com/services/T/B/x', format: slack, events: [RolledBack, Promoted], secretNames: [fledge-webhooks]}}",
                "operator: {routing: {allowedParentRefs: ['{namespace}/*', 'gateways/shared-gw'], allowedHostnames: ['*.{namespace}.example.com', api.example.com]}}",
                "sharding: {selector: 'fledge.dev/shard notin (b, c)'}",
                "sharding: {selector: fledge.dev/shard=b}",
                "image: {tag: '@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'}"
            })
    void acceptsGoodValues(String values) {
        assertThatCode(() -> ChartUnderTest.renderText(values + "\n")).doesNotThrowAnyException();
    }
}
