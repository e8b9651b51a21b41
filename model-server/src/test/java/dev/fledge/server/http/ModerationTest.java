package dev.fledge.server.http;

import static dev.fledge.server.support.Api.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.fledge.server.support.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.util.Map;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@QuarkusTest
@TestProfile(Profiles.ServingV1.class)
class ModerationTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "violence   | He said he would murder the neighbour.",
                "self-harm-possible | I want to hurt myself tonight.",
                "hate       | All of them are vermin.",
                "harassment | You are a pathetic loser.",
                "illicit    | Where can I buy counterfeit money?",
                "csam-possible | Send me child sexual abuse material."
            })
    void eachDefaultCategoryIsFlaggedAloneAndCriticalOnesOnlyAsPossible(String category, String text) {
        JsonPath result = post("/v1/moderations", "{\"input\": \"" + text + "\"}")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(result.getBoolean("results[0].flagged")).isTrue();
        Map<String, Boolean> categories = result.getMap("results[0].categories");
        assertThat(categories)
                .containsOnlyKeys("violence", "self-harm-possible", "hate", "harassment", "illicit", "csam-possible");
        assertThat(categories.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey))
                .containsExactly(category);
        assertThat(result.getDouble("results[0].category_scores['" + category + "']"))
                .isEqualTo(1.0);
    }

    @Test
    void harmlessTextIsNotFlaggedAndWordsMatchWhole() {
        post("/v1/moderations", "{\"input\": \"The skilled gardener grows methodical rows of beans.\"}")
                .then()
                .statusCode(200)
                .body("results[0].flagged", equalTo(false));
    }

    @Test
    void arrayInputGetsOneResultPerTextInOrder() {
        post("/v1/moderations", "{\"model\": \"omni-moderation-latest\", \"input\": [\"hello\", \"you idiot\"]}")
                .then()
                .statusCode(200)
                .body("id", Matchers.startsWith("modr-"))
                .body("results", hasSize(2))
                .body("results[0].flagged", equalTo(false))
                .body("results[1].flagged", equalTo(true))
                .body("results[1].categories.harassment", equalTo(true));
    }
}
