package dev.fledge.server.http;

import static dev.fledge.server.support.Api.complete;
import static dev.fledge.server.support.Api.metrics;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.fledge.server.support.MetricsText;
import dev.fledge.server.support.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(Profiles.ServingV1.class)
class MetricsTest {
    private static final String[] V1 = {"release", "assistant", "version", "1.0.0"};

    private static String[] labels(String... more) {
        String[] all = new String[V1.length + more.length];
        System.arraycopy(V1, 0, all, 0, V1.length);
        System.arraycopy(more, 0, all, V1.length, more.length);
        return all;
    }

    @Test
    void metricsTextParsesAndHasEveryContractMetricWithItsType() {
        MetricsText m = metrics();
        assertThat(m.hasType("fledge_model_requests_total", "counter")).isTrue();
        assertThat(m.hasType("fledge_model_request_duration_seconds", "histogram"))
                .isTrue();
        assertThat(m.hasType("fledge_model_outputs_total", "counter")).isTrue();
        assertThat(m.hasType("fledge_model_output_flags_total", "counter")).isTrue();
        assertThat(m.hasType("fledge_model_feedback_total", "counter")).isTrue();
        assertThat(m.hasType("fledge_model_generated_tokens_total", "counter")).isTrue();
        assertThat(m.value("fledge_model_request_duration_seconds_bucket", labels("audience", "public", "le", "0.001")))
                .isGreaterThanOrEqualTo(0);
        assertThat(m.value("fledge_model_request_duration_seconds_bucket", labels("audience", "public", "le", "10.0")))
                .isGreaterThanOrEqualTo(0);
    }

    /**
     * The chart's PodMonitor caps what one model pod may add to the shared Prometheus (review of issue 15, LOW 2): a
     * pod past {@code modelPodMonitor.sampleLimit} or {@code labelLimit} fails its own scrape. Fledge's own server
     * must stay far below the defaults, whatever traffic it served, or its gates would go blind.
     */
    @Test
    void aPodExportsFarFewerSamplesAndLabelsThanThePodMonitorsDefaultLimits() throws IOException {
        complete("{\"prompt\": \"the garden\", \"max_tokens\": 5}", "internal")
                .then()
                .statusCode(200);
        JsonNode monitor = new ObjectMapper(new YAMLFactory())
                .readTree(Path.of("..", "helm", "fledge", "values.yaml").toFile())
                .path("modelPodMonitor");
        MetricsText m = metrics();

        assertThat(m.sampleCount() * 10L)
                .as("10 x the %d samples a pod exports", m.sampleCount())
                .isLessThanOrEqualTo(monitor.path("sampleLimit").asLong());
        // the target adds namespace, pod, container, endpoint, job and instance
        assertThat((m.maxLabelsPerSample() + 6) * 4L)
                .as("4 x the %d labels of a sample", m.maxLabelsPerSample() + 6)
                .isLessThanOrEqualTo(monitor.path("labelLimit").asLong());
    }

    @Test
    void countersMoveByExactlyTheRequestsSentPerAudience() {
        MetricsText before = metrics();
        for (int i = 0; i < 3; i++) {
            complete("{\"prompt\": \"the garden\", \"max_tokens\": 5, \"seed\": " + i + "}", "closed")
                    .then()
                    .statusCode(200);
        }
        for (int i = 0; i < 2; i++) {
            complete("{\"prompt\": \"the garden\", \"max_tokens\": 7, \"seed\": " + i + "}", null)
                    .then()
                    .statusCode(200);
        }
        complete("{\"prompt\": \"the garden\", \"max_tokens\": 0}", "closed")
                .then()
                .statusCode(400);
        MetricsText after = metrics();

        assertThat(delta(before, after, "fledge_model_requests_total", "audience", "closed", "outcome", "success"))
                .isEqualTo(3);
        assertThat(delta(before, after, "fledge_model_requests_total", "audience", "closed", "outcome", "invalid"))
                .isEqualTo(1);
        assertThat(delta(before, after, "fledge_model_requests_total", "audience", "public", "outcome", "success"))
                .isEqualTo(2);
        assertThat(delta(before, after, "fledge_model_request_duration_seconds_count", "audience", "closed"))
                .as("the 400 is counted as invalid but not timed")
                .isEqualTo(3);
        assertThat(delta(before, after, "fledge_model_generated_tokens_total", "audience", "closed"))
                .isEqualTo(15);
        assertThat(delta(before, after, "fledge_model_generated_tokens_total", "audience", "public"))
                .isEqualTo(14);
        double judged = delta(before, after, "fledge_model_outputs_total", "audience", "closed", "verdict", "safe")
                + delta(before, after, "fledge_model_outputs_total", "audience", "closed", "verdict", "flagged");
        assertThat(judged).isEqualTo(3);
    }

    @Test
    void theOperatorsSuiteTrafficIsCountedAsEvaluationNeverAsPublic() {
        MetricsText before = metrics();
        for (int i = 0; i < 3; i++) {
            complete("{\"prompt\": \"the garden\", \"max_tokens\": 5, \"seed\": " + i + "}", "evaluation")
                    .then()
                    .statusCode(200);
        }
        MetricsText after = metrics();

        assertThat(delta(before, after, "fledge_model_requests_total", "audience", "evaluation", "outcome", "success"))
                .isEqualTo(3);
        double judged = delta(before, after, "fledge_model_outputs_total", "audience", "evaluation", "verdict", "safe")
                + delta(before, after, "fledge_model_outputs_total", "audience", "evaluation", "verdict", "flagged");
        assertThat(judged).isEqualTo(3);
        assertThat(delta(before, after, "fledge_model_requests_total", "audience", "public", "outcome", "success"))
                .isZero();
        double publicOutputs = delta(
                        before, after, "fledge_model_outputs_total", "audience", "public", "verdict", "safe")
                + delta(before, after, "fledge_model_outputs_total", "audience", "public", "verdict", "flagged");
        assertThat(publicOutputs).isZero();
    }

    @Test
    void aFloodOfMalformedRequestsStaysOutOfTheLatencyHistogram() {
        MetricsText before = metrics();
        complete("{\"prompt\": \"the garden\", \"max_tokens\": 5, \"seed\": 1}", "internal")
                .then()
                .statusCode(200);
        for (int i = 0; i < 30; i++) {
            complete("{\"prompt\": \"the garden\", \"temperature\": 9}", "internal")
                    .then()
                    .statusCode(400);
        }
        MetricsText after = metrics();

        assertThat(delta(before, after, "fledge_model_requests_total", "audience", "internal", "outcome", "invalid"))
                .isEqualTo(30);
        assertThat(delta(before, after, "fledge_model_request_duration_seconds_count", "audience", "internal"))
                .as("only the served request is timed: fast 400s must not pull the canary's latency down")
                .isEqualTo(1);
    }

    @Test
    void maxTokensOverTheModelsLimitCountsAsModelLimitNotAsAMalformedRequest() {
        MetricsText before = metrics();
        for (int i = 0; i < 4; i++) {
            complete("{\"prompt\": \"the garden\", \"max_tokens\": 999}", "closed")
                    .then()
                    .statusCode(400);
        }
        complete("{\"prompt\": \"the garden\", \"max_tokens\": -1}", "closed")
                .then()
                .statusCode(400);
        MetricsText after = metrics();

        assertThat(delta(before, after, "fledge_model_requests_total", "audience", "closed", "outcome", "model_limit"))
                .as("a well-formed request beyond this version's max_tokens: the built-in error rate counts it")
                .isEqualTo(4);
        assertThat(delta(before, after, "fledge_model_requests_total", "audience", "closed", "outcome", "invalid"))
                .as("a malformed request: left out of the error rate")
                .isEqualTo(1);
        assertThat(delta(before, after, "fledge_model_request_duration_seconds_count", "audience", "closed"))
                .as("refused before the model runs: not timed")
                .isZero();
    }

    @Test
    void aGoodModelIsAlmostNeverFlaggedOver200SampledPrompts() {
        MetricsText before = metrics();
        SampledPrompts.send(200, "internal");
        MetricsText after = metrics();
        double flagged =
                delta(before, after, "fledge_model_outputs_total", "audience", "internal", "verdict", "flagged");
        double safe = delta(before, after, "fledge_model_outputs_total", "audience", "internal", "verdict", "safe");
        assertThat(flagged + safe).isEqualTo(200);
        assertThat(flagged / 200).isLessThanOrEqualTo(0.01);
    }

    private static double delta(MetricsText before, MetricsText after, String name, String... labelPairs) {
        return after.value(name, labels(labelPairs)) - before.value(name, labels(labelPairs));
    }
}
