package dev.fledge.e2e.apiserver;

import static dev.fledge.e2e.apiserver.JsonEdit.remove;
import static dev.fledge.e2e.apiserver.JsonEdit.set;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real API server rejects invalid ModelReleases with the CRD's schema and CEL rules.
 *
 * <p>Each case makes one change to {@code valid-modelrelease.yaml}, which the server
 * accepts, so the case would pass if the rule it names were removed from the CRD.
 */
@Tag("apiserver")
class ModelReleaseRejectionTest {

    private static final String NAMESPACE = "rejections";
    private static final String UNCONSTRAINED_GROUP = "unconstrained.fledge.dev";
    private static ClusterResources cluster;
    private static ModelReleaseFixtures fixtures;

    @BeforeAll
    static void installCrd() {
        var server = RealApiServer.shared();
        cluster = new ClusterResources(server.client());
        List<CustomResourceDefinition> crds = cluster.installCrds(List.of(RepoFiles.modelReleaseCrd()));
        var unconstrained = UnconstrainedCrd.of(
                crds.get(0), UNCONSTRAINED_GROUP, server.client().getKubernetesSerialization());
        server.client()
                .resource(unconstrained)
                .fieldManager(ClusterResources.FIELD_MANAGER)
                .forceConflicts()
                .serverSideApply();
        cluster.awaitEstablished(unconstrained.getMetadata().getName());
        cluster.ensureNamespace(NAMESPACE);
        fixtures = new ModelReleaseFixtures(server.client());
    }

    record Rejection(String behaviour, Consumer<ObjectNode> edit, String field, String detail) {
        @Override
        public String toString() {
            return behaviour;
        }
    }

    static Stream<Rejection> rejections() {
        return Stream.of(
                // required fields
                new Rejection(
                        "a release without a model is rejected", remove("/spec/model"), "spec.model", "Required value"),
                new Rejection(
                        "a model without a version is rejected",
                        remove("/spec/model/version"),
                        "spec.model.version",
                        "Required value"),
                new Rejection(
                        "a model without a uri is rejected",
                        remove("/spec/model/uri"),
                        "spec.model.uri",
                        "Required value"),
                new Rejection(
                        "a feedback gate without maxNegativeRate is rejected",
                        remove("/spec/analysis/feedback/maxNegativeRate"),
                        "spec.analysis.feedback.maxNegativeRate",
                        "Required value"),
                // enums
                new Rejection(
                        "a model format the server cannot load is rejected",
                        set("/spec/model/format", "onnx"),
                        "spec.model.format",
                        "Unsupported value: \"onnx\""),
                new Rejection(
                        "an unknown stage name is rejected",
                        set("/spec/stages/1/name", "beta"),
                        "spec.stages[1].name",
                        "Unsupported value: \"beta\""),
                new Rejection(
                        "an unknown router is rejected",
                        set("/spec/traffic/router", "istio"),
                        "spec.traffic.router",
                        "Unsupported value: \"istio\""),
                new Rejection(
                        "an unknown model format is rejected",
                        set("/spec/model/format", "pickle"),
                        "spec.model.format",
                        "Unsupported value: \"pickle\""),
                // patterns and ranges
                new Rejection(
                        "a gs:// model uri is rejected: no server of Fledge's loads it (issue 17 part 6)",
                        set("/spec/model/uri", "gs://models/assistant/2.0.0"),
                        "spec.model.uri",
                        "should match"),
                new Rejection(
                        "a pvc:// model uri whose claim is not a DNS name is rejected",
                        set("/spec/model/uri", "pvc://models..claim/assistant"),
                        "spec.model.uri",
                        "should match"),
                new Rejection(
                        "a pvc:// model uri that climbs out of its claim is rejected",
                        set("/spec/model/uri", "pvc://models/assistant/../../var/run/fledge/feedback-key/key"),
                        "spec.model.uri",
                        "may not hold . or .. path segments"),
                new Rejection(
                        "an S3 store for a model that is not on S3 is rejected (issue 17 part 6)",
                        set("/spec/model/uri", "https://models.example/sentiment/2.0.0.zip")
                                .andThen(set("/spec/model/s3", Map.of("secretName", "model-store"))),
                        "spec.model.s3",
                        "model.s3 applies only to an s3:// uri"),
                new Rejection(
                        "an S3 endpoint with user info is rejected: credentials come from the Secret",
                        set("/spec/model/s3", Map.of("endpoint", "http://AKIA:secret@minio.storage:9000")),
                        "spec.model.s3.endpoint",
                        "should match"),
                new Rejection(
                        "an S3 endpoint with a query is rejected",
                        set("/spec/model/s3", Map.of("endpoint", "https://minio.storage:9000/?X-Amz-Credential=x")),
                        "spec.model.s3.endpoint",
                        "should match"),
                new Rejection(
                        "an S3 endpoint that is not http or https is rejected",
                        set("/spec/model/s3", Map.of("endpoint", "minio.storage:9000")),
                        "spec.model.s3.endpoint",
                        "should match"),
                new Rejection(
                        "an S3 region that is not a DNS label is rejected",
                        set("/spec/model/s3", Map.of("region", "EU West 1")),
                        "spec.model.s3.region",
                        "should match"),
                new Rejection(
                        "an S3 credentials Secret name that is not a DNS subdomain is rejected",
                        set("/spec/model/s3", Map.of("secretName", "Model_Store")),
                        "spec.model.s3.secretName",
                        "should match"),
                new Rejection(
                        "a model uri longer than 4096 characters is rejected",
                        set("/spec/model/uri", "https://models.example/" + "a".repeat(4096)),
                        "spec.model.uri",
                        "Too long"),
                new Rejection(
                        "a model name that is not a DNS label is rejected",
                        set("/spec/model/name", "Sentiment_v2"),
                        "spec.model.name",
                        "should match"),
                new Rejection(
                        "a progressDeadline that is not a Go duration is rejected",
                        set("/spec/progressDeadline", "2 hours"),
                        "spec.progressDeadline",
                        "should match"),
                new Rejection(
                        "zero server replicas are rejected",
                        set("/spec/server/replicas", 0),
                        "spec.server.replicas",
                        "should be greater than or equal to 1"),
                // weight steps
                new Rejection(
                        "a weight step of 0 is rejected",
                        set("/spec/stages/2/steps", List.of(0, 50, 100)),
                        "spec.stages[2].steps",
                        "weights must be between 1 and 100"),
                new Rejection(
                        "descending weight steps are rejected",
                        set("/spec/stages/2/steps", List.of(50, 25, 100)),
                        "spec.stages[2].steps",
                        "steps must be strictly ascending"),
                new Rejection(
                        "a repeated weight step is rejected",
                        set("/spec/stages/2/steps", List.of(25, 25, 100)),
                        "spec.stages[2].steps",
                        "steps must be strictly ascending"),
                new Rejection(
                        "weight steps that stop short of 100 are rejected",
                        set("/spec/stages/2/steps", List.of(5, 25, 50)),
                        "spec.stages[2].steps",
                        "steps must end at 100"),
                new Rejection(
                        "weight steps on a stage other than public are rejected",
                        set("/spec/stages/0/steps", List.of(100)),
                        "spec.stages[0].steps",
                        "steps and stepDuration apply only to the public stage"),
                // stages
                new Rejection(
                        "a duplicate stage is rejected",
                        set("/spec/stages/1/name", "internal"),
                        "spec.stages",
                        "stage names must be unique"),
                new Rejection(
                        "a public stage that is not last is rejected",
                        set(
                                "/spec/stages",
                                List.of(
                                        Map.of("name", "public", "steps", List.of(50, 100)),
                                        Map.of("name", "internal"))),
                        "spec.stages",
                        "the public stage must be the last stage"),
                new Rejection(
                        "closed before internal is rejected",
                        set("/spec/stages/0/name", "closed").andThen(set("/spec/stages/1/name", "internal")),
                        "spec.stages",
                        "stages run in the order internal, closed, public"),
                // another server behind the Fledge sidecar (issue 17)
                new Rejection(
                        "an upstream on the sidecar's port is rejected",
                        upstream(Map.of("port", 8080)),
                        "spec.server.upstream",
                        "server.upstream.port (default 8000) must differ from server.port"),
                new Rejection(
                        "an upstream on the sidecar's public port is rejected",
                        upstream(Map.of("port", 8081)),
                        "spec.server.upstream",
                        "must differ from server.port"),
                new Rejection(
                        "an upstream on the default port when the server port is 8000 is rejected",
                        set("/spec/server/port", 8000).andThen(upstream(Map.of())),
                        "spec.server.upstream",
                        "must differ from server.port"),
                new Rejection(
                        "an upstream port above 65535 is rejected",
                        upstream(Map.of("port", 70000)),
                        "spec.server.upstream.port",
                        "should be less than or equal to 65535"),
                new Rejection(
                        "a relative upstream readiness path is rejected",
                        upstream(Map.of("readinessPath", "health")),
                        "spec.server.upstream.readinessPath",
                        "should match"),
                new Rejection(
                        "an upstream without its own image (the default is Fledge's server, with a shell) is rejected",
                        set("/spec/server/upstream", Map.of()),
                        "spec.server.upstream",
                        "server.upstream needs server.image"),
                new Rejection(
                        "an upstream readiness path with | (not a URI path character) is rejected",
                        upstream(Map.of("readinessPath", "/health|x")),
                        "spec.server.upstream.readinessPath",
                        "should match"),
                new Rejection(
                        "an upstream readiness path with { is rejected",
                        upstream(Map.of("readinessPath", "/{model}/health")),
                        "spec.server.upstream.readinessPath",
                        "should match"),
                new Rejection(
                        "an upstream metrics path with a bad percent-escape is rejected",
                        upstream(Map.of("metricsPath", "/metrics%zz")),
                        "spec.server.upstream.metricsPath",
                        "should match"),
                new Rejection(
                        "args of the Fledge server without an upstream are rejected",
                        set(
                                "/spec/server/template",
                                Map.of(
                                        "spec",
                                        Map.of(
                                                "containers",
                                                List.of(Map.of("name", "model-server", "args", List.of("--debug")))))),
                        "spec.server.template",
                        "command and args of the model container only with server.upstream"),
                // safety gate
                new Rejection(
                        "a maxHarmRate of 1.5 is rejected",
                        set("/spec/analysis/safety/maxHarmRate", 1.5),
                        "spec.analysis.safety.maxHarmRate",
                        "should be less than 1"),
                new Rejection(
                        "a maxHarmRate of 0 is rejected",
                        remove("/spec/analysis/safety/tolerableHarmRate")
                                .andThen(set("/spec/analysis/safety/maxHarmRate", 0)),
                        "spec.analysis.safety.maxHarmRate",
                        "should be greater than 0"),
                new Rejection(
                        "a tolerableHarmRate above maxHarmRate is rejected",
                        set("/spec/analysis/safety/tolerableHarmRate", 0.05),
                        "spec.analysis.safety.tolerableHarmRate",
                        "tolerableHarmRate must be below maxHarmRate"),
                new Rejection(
                        "a safety gate with neither a suite nor online evaluation is rejected",
                        remove("/spec/analysis/safety/suite"),
                        "spec.analysis.safety",
                        "safety needs a suite, online: true, or both"),
                new Rejection(
                        "live outputs judged by a moderation endpoint are rejected (the model server asks Llama Guard)",
                        set("/spec/analysis/safety/online", true)
                                .andThen(set(
                                        "/spec/analysis/safety/judge",
                                        Map.of("url", "http://guard.ml/v1/moderations", "liveOutputs", true))),
                        "spec.analysis.safety.judge.liveOutputs",
                        "judge.liveOutputs needs kind llamaGuard"),
                new Rejection(
                        "live outputs judged without online: true are rejected",
                        set(
                                "/spec/analysis/safety/judge",
                                Map.of(
                                        "kind", "llamaGuard",
                                        "url", "http://guard.ml/v1/chat/completions",
                                        "liveOutputs", true)),
                        "spec.analysis.safety.judge.liveOutputs",
                        "judge.liveOutputs needs online: true"),
                // metrics and traffic
                new Rejection(
                        "a metric with both a query and a template is rejected",
                        set("/spec/analysis/metrics/0/query", "sum(rate(x[1m]))"),
                        "spec.analysis.metrics[0]",
                        "set exactly one of query or template"),
                new Rejection(
                        "a metric whose min exceeds its max is rejected",
                        set("/spec/analysis/metrics/0/min", 0.5),
                        "spec.analysis.metrics[0].min",
                        "min must not exceed max"),
                new Rejection(
                        "a parentRef whose name carries a path is rejected: the operator reads the Gateway by it",
                        set("/spec/traffic/router", "gatewayAPI")
                                .andThen(set(
                                        "/spec/traffic/gatewayAPI",
                                        Map.of("parentRefs", List.of(Map.of("name", "public-gw/status"))))),
                        "spec.traffic.gatewayAPI.parentRefs[0].name",
                        "should match"),
                new Rejection(
                        "a suite ConfigMap whose name is not a Kubernetes name is rejected: the operator reads it by it",
                        set("/spec/analysis/safety/suite/configMapRef/name", "red-team/../x"),
                        "spec.analysis.safety.suite.configMapRef.name",
                        "should match"),
                new Rejection(
                        "a webhook Secret whose name is not a Kubernetes name is rejected: the operator reads it by it",
                        set("/spec/notifications/webhooks/1/urlFrom/secretKeyRef/name", "hooks?watch=true"),
                        "spec.notifications.webhooks[1].urlFrom.secretKeyRef.name",
                        "should match"),
                new Rejection(
                        "a parentRef whose namespace is not a namespace name is rejected",
                        set("/spec/traffic/router", "gatewayAPI")
                                .andThen(set(
                                        "/spec/traffic/gatewayAPI",
                                        Map.of(
                                                "parentRefs",
                                                List.of(Map.of("name", "public-gw", "namespace", "../kube-system"))))),
                        "spec.traffic.gatewayAPI.parentRefs[0].namespace",
                        "should match"),
                new Rejection(
                        "the gatewayAPI router without gatewayAPI settings is rejected",
                        set("/spec/traffic/router", "gatewayAPI"),
                        "spec.traffic.gatewayAPI",
                        "router gatewayAPI needs traffic.gatewayAPI with parentRefs"),
                // notifications
                new Rejection(
                        "a webhook with both url and urlFrom is rejected",
                        set(
                                "/spec/notifications/webhooks/0/urlFrom",
                                Map.of("secretKeyRef", Map.of("name", "s", "key", "k"))),
                        "spec.notifications.webhooks[0]",
                        "set exactly one of url and urlFrom"),
                new Rejection(
                        "a webhook with neither url nor urlFrom is rejected",
                        remove("/spec/notifications/webhooks/1/urlFrom"),
                        "spec.notifications.webhooks[1]",
                        "set exactly one of url and urlFrom"),
                new Rejection(
                        "two webhooks with one name are rejected",
                        set("/spec/notifications/webhooks/1/name", "ops"),
                        "spec.notifications.webhooks",
                        "webhook names must be unique"),
                new Rejection(
                        "a repeated webhook event is rejected",
                        set("/spec/notifications/webhooks/0/events", List.of("Promoted", "Promoted")),
                        "spec.notifications.webhooks[0].events",
                        "events must not repeat"),
                new Rejection(
                        "an unknown webhook format is rejected",
                        set("/spec/notifications/webhooks/1/format", "teams"),
                        "spec.notifications.webhooks[1].format",
                        "Unsupported value: \"teams\""),
                new Rejection(
                        "a webhook URL without a scheme is rejected",
                        set("/spec/notifications/webhooks/0/url", "hooks.example.com/x"),
                        "spec.notifications.webhooks[0].url",
                        "should match"));
    }

    /** spec.server.upstream of these fields, with the other server's image (required with upstream). */
    private static Consumer<ObjectNode> upstream(Map<String, Object> fields) {
        return set("/spec/server/upstream", fields).andThen(set("/spec/server/image", "vllm/vllm-openai:v0.9.1"));
    }

    /** Issue 17: the upstream's command and args, GPUs and a port of its own are what a vLLM release writes. */
    @Test
    void aReleaseOfAnotherServerBehindTheSidecarIsAccepted() {
        GenericKubernetesResource accepted = cluster.dryRunApply(
                fixtures.validRelease(set(
                                "/spec/server/upstream",
                                Map.of(
                                        "port",
                                        8000,
                                        "readinessPath",
                                        "/v1/health/ready",
                                        "metricsPath",
                                        "/stats;format=prom/a%2Fb:x@y"))
                        .andThen(set("/spec/server/image", "vllm/vllm-openai:v0.9.1"))
                        .andThen(set(
                                "/spec/server/template",
                                Map.of(
                                        "spec",
                                        Map.of(
                                                "containers",
                                                List.of(Map.of(
                                                        "name",
                                                        "model-server",
                                                        "args",
                                                        List.of("--model", "/models/llama", "--port", "8000"),
                                                        "resources",
                                                        Map.of("limits", Map.of("nvidia.com/gpu", 1))))))))),
                NAMESPACE);

        assertThat(accepted.getAdditionalProperties().toString())
                .contains("upstream")
                .contains("--model");
    }

    /** Issue 17 part 6: a model on a claim of the release's namespace, a directory or an archive, at any depth. */
    @Test
    void aModelOnAPersistentVolumeClaimIsAccepted() {
        for (String uri : List.of(
                "pvc://llama-3-8b/2025-06-01",
                "pvc://models.team-a/assistant/v1.zip",
                "pvc://llama-3.1/8b",
                "pvc://m")) {
            GenericKubernetesResource accepted =
                    cluster.dryRunApply(fixtures.validRelease(set("/spec/model/uri", uri)), NAMESPACE);
            assertThat(accepted.getAdditionalProperties().toString()).as(uri).contains(uri);
        }
    }

    /**
     * Issue 17 part 6: an s3:// model's store, an S3-compatible endpoint (with a port, or a path) or AWS's own, with a
     * region and the Secret of its credentials, or any one of them.
     */
    @Test
    void anS3StoreForAnS3ModelIsAccepted() {
        for (Map<String, String> s3 : List.of(
                Map.of(
                        "endpoint", "http://minio.storage.svc:9000",
                        "region", "eu-west-1",
                        "secretName", "model-store"),
                Map.of("endpoint", "https://s3.eu-central-1.example.com/storage"),
                Map.of("secretName", "team-a.model-store"),
                Map.of("region", "us-east-2"))) {
            GenericKubernetesResource accepted =
                    cluster.dryRunApply(fixtures.validRelease(set("/spec/model/s3", s3)), NAMESPACE);
            assertThat(accepted.getAdditionalProperties().toString())
                    .as("%s", s3)
                    .contains("s3={")
                    .contains(s3.values().iterator().next());
        }
    }

    /** Issue 17 part 3: live outputs judged by a Llama Guard-style classifier, online. */
    @Test
    void liveOutputsJudgedByALlamaGuardClassifierAreAccepted() {
        GenericKubernetesResource accepted = cluster.dryRunApply(
                fixtures.validRelease(set("/spec/analysis/safety/online", true)
                        .andThen(set(
                                "/spec/analysis/safety/judge",
                                Map.of(
                                        "kind", "llamaGuard",
                                        "url", "http://guard.ml/v1/chat/completions",
                                        "liveOutputs", true)))),
                NAMESPACE);
        assertThat(accepted.getAdditionalProperties().toString()).contains("liveOutputs=true");
    }

    @Test
    void theUneditedReleaseIsAccepted() {
        GenericKubernetesResource accepted = cluster.dryRunApply(fixtures.validRelease(), NAMESPACE);

        assertThat(accepted.getMetadata().getName()).isEqualTo("sentiment");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void invalidReleaseIsRejectedAtItsField(Rejection rejection) {
        GenericKubernetesResource release = fixtures.validRelease(rejection.edit());

        var error =
                catchThrowableOfType(KubernetesClientException.class, () -> cluster.dryRunApply(release, NAMESPACE));

        assertThat(error)
                .as("the API server must reject: " + rejection.behaviour())
                .isNotNull();
        assertThat(error.getCode()).isEqualTo(422);
        assertThat(error.getMessage()).contains(rejection.field() + ": ").contains(rejection.detail());
        assertThat(violations(error))
                .as("the one violation in %s", error.getMessage())
                .singleElement()
                .satisfies(cause -> assertCause(cause, rejection));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void sameReleaseIsAcceptedWhereTheCrdHasNoConstraints(Rejection rejection) {
        GenericKubernetesResource release =
                fixtures.validRelease(rejection.edit().andThen(set("/apiVersion", UNCONSTRAINED_GROUP + "/v1alpha1")));

        assertThatCode(() -> cluster.dryRunApply(release, NAMESPACE))
                .as("control for: " + rejection.behaviour())
                .doesNotThrowAnyException();
    }

    /**
     * The causes of a rejection, less the note the server adds when schema errors stop it
     * from evaluating CEL rules ("some validation rules were not checked ...").
     */
    private static List<StatusCause> violations(KubernetesClientException error) {
        return error.getStatus().getDetails().getCauses().stream()
                .filter(cause -> !"<nil>".equals(cause.getField()))
                .toList();
    }

    private static void assertCause(StatusCause cause, Rejection rejection) {
        assertThat(cause.getField()).isEqualTo(rejection.field());
        assertThat(cause.getMessage()).contains(rejection.detail());
    }
}
