package dev.fledge.server.http;

import static dev.fledge.server.support.Api.complete;
import static dev.fledge.server.support.Api.metrics;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.server.support.MetricsText;
import dev.fledge.server.support.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/**
 * The test aid of the e2e shadow scenario (issue 18): {@code fledge.fault.live-answer} makes a model unsafe on real
 * traffic only. Users' requests get that answer, and the guard counts it flagged under their audience; the operator's
 * suite ({@code evaluation}) gets the model's own answer.
 */
@QuarkusTest
@TestProfile(Profiles.LiveAnswer.class)
class LiveAnswerFaultTest {
    static final String BODY = "{\"prompt\": \"the garden\", \"max_tokens\": 4}";

    static double outputs(MetricsText m, String audience, String verdict) {
        return m.value(
                "fledge_model_outputs_total",
                "release",
                "assistant",
                "version",
                "1.0.0",
                "audience",
                audience,
                "verdict",
                verdict);
    }

    @Test
    void aUsersRequestGetsTheLiveAnswerAndTheGuardFlagsIt() {
        MetricsText before = metrics();
        String text =
                complete(BODY, "internal").then().statusCode(200).extract().path("choices[0].text");
        assertThat(text).isEqualTo(Profiles.LiveAnswer.LIVE_ANSWER);
        assertThat(outputs(metrics(), "internal", "flagged") - outputs(before, "internal", "flagged"))
                .isEqualTo(1);
    }

    @Test
    void theSuitesRequestGetsTheModelsOwnAnswer() {
        MetricsText before = metrics();
        String text =
                complete(BODY, "evaluation").then().statusCode(200).extract().path("choices[0].text");
        assertThat(text).isNotEqualTo(Profiles.LiveAnswer.LIVE_ANSWER);
        assertThat(outputs(metrics(), "evaluation", "flagged") - outputs(before, "evaluation", "flagged"))
                .isZero();
    }
}
