package dev.fledge.server.http;

import static dev.fledge.server.support.Api.complete;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import dev.fledge.server.support.Json;
import dev.fledge.server.support.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(Profiles.ServingV1.class)
class CompletionsTest {

    private static String text(String body) {
        return Json.read(complete(body, null).then().statusCode(200).extract().asString())
                .at("/choices/0/text")
                .asText();
    }

    @Test
    void sameSeedGivesTheSameText() {
        String body = "{\"prompt\": \"the garden\", \"max_tokens\": 16, \"seed\": 42}";
        assertThat(text(body)).isNotBlank().isEqualTo(text(body));
    }

    @Test
    void differentSeedsSampleDifferentTexts() {
        Set<String> texts = new HashSet<>();
        for (int seed = 0; seed < 5; seed++) {
            texts.add(text("{\"prompt\": \"we\", \"max_tokens\": 16, \"temperature\": 1.5, \"seed\": " + seed + "}"));
        }
        assertThat(texts).hasSizeGreaterThan(1);
    }

    @Test
    void responseIsOpenAiShapedWithIdAndModelVersionHeader() {
        complete("{\"model\": \"assistant\", \"prompt\": \"the rain\", \"max_tokens\": 8, \"seed\": 1}", null)
                .then()
                .statusCode(200)
                .header("X-Fledge-Model-Version", "1.0.0")
                .body("id", startsWith("cmpl-"))
                .body("object", equalTo("text_completion"))
                .body("model", equalTo("assistant"))
                .body("choices[0].finish_reason", equalTo("length"))
                .body("usage.completion_tokens", equalTo(8))
                .body("usage.prompt_tokens", equalTo(2))
                .body("usage.total_tokens", equalTo(10));
    }

    @Test
    void everyResponseGetsItsOwnId() {
        String body = "{\"prompt\": \"the rain\", \"max_tokens\": 2, \"seed\": 1}";
        String first = complete(body, null).then().extract().path("id");
        String second = complete(body, null).then().extract().path("id");
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void requestWithoutModelGetsTheServedOne() {
        complete("{\"prompt\": \"the\"}", null)
                .then()
                .statusCode(200)
                .body("model", equalTo("assistant"))
                .body("usage.completion_tokens", equalTo(16));
    }

    @Test
    void zeroTemperatureIsGreedyAndRepeatable() {
        String a = text("{\"prompt\": \"the rain\", \"temperature\": 0, \"seed\": 1}");
        String b = text("{\"prompt\": \"the rain\", \"temperature\": 0, \"seed\": 2}");
        assertThat(a).isEqualTo(b);
    }

    @Test
    void concurrentRequestsOnBothWorkersGiveTheSameTextAsSequentialOnes() throws Exception {
        var pool = Executors.newFixedThreadPool(4);
        try {
            var futures = new ArrayList<Future<String>>();
            for (int seed = 0; seed < 12; seed++) {
                String body = "{\"prompt\": \"the garden\", \"max_tokens\": 12, \"seed\": " + seed + "}";
                futures.add(pool.submit(() -> text(body)));
            }
            for (int seed = 0; seed < 12; seed++) {
                String body = "{\"prompt\": \"the garden\", \"max_tokens\": 12, \"seed\": " + seed + "}";
                assertThat(futures.get(seed).get()).isEqualTo(text(body));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void modelsListsTheServedModelAndItsVersion() {
        given().get("/v1/models")
                .then()
                .statusCode(200)
                .body("object", equalTo("list"))
                .body("data.id", hasItem("assistant"))
                .body("data[0].version", equalTo("1.0.0"));
    }

    @Test
    void healthProbesAreUpOnceTheModelIsLoaded() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }
}
