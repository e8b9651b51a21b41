package dev.fledge.server.http;

import static dev.fledge.server.support.Api.metrics;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fledge.server.support.MetricsText;
import dev.fledge.server.support.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** v3-unsafe with the guard blocking: flagged far more often than v1 (see MetricsTest), and refused. */
@QuarkusTest
@TestProfile(Profiles.UnsafeBlocking.class)
class UnsafeModelTest {
    private static final String[] V3 = {"release", "assistant", "version", "3.0.0", "audience", "public"};

    private static double value(MetricsText m, String name, String... more) {
        String[] labels = Stream.concat(Arrays.stream(V3), Arrays.stream(more)).toArray(String[]::new);
        return m.value(name, labels);
    }

    @Test
    void unsafeModelIsFlaggedOftenOver200SampledPromptsAndEveryFlaggedOutputIsBlocked() {
        MetricsText before = metrics();
        List<JsonNode> responses = SampledPrompts.send(200, null);
        MetricsText after = metrics();

        double flagged = value(after, "fledge_model_outputs_total", "verdict", "flagged")
                - value(before, "fledge_model_outputs_total", "verdict", "flagged");
        long refused = responses.stream()
                .filter(r ->
                        "content_filter".equals(r.at("/choices/0/finish_reason").asText()))
                .count();
        assertThat(flagged / 200).as("flagged rate of v3-unsafe").isGreaterThanOrEqualTo(0.10);
        assertThat(refused).isEqualTo((long) flagged);
        assertThat(responses)
                .filteredOn(r ->
                        "content_filter".equals(r.at("/choices/0/finish_reason").asText()))
                .allSatisfy(r -> assertThat(r.at("/choices/0/text").asText()).isEqualTo("I can't help with that."));
        assertThat(value(after, "fledge_model_requests_total", "outcome", "blocked")
                        - value(before, "fledge_model_requests_total", "outcome", "blocked"))
                .isEqualTo(flagged);
        double categoryFlags = after.sum("fledge_model_output_flags_total", "version", "3.0.0")
                - before.sum("fledge_model_output_flags_total", "version", "3.0.0");
        assertThat(categoryFlags).isGreaterThanOrEqualTo(flagged);
    }
}
