package dev.fledge.server.http;

import static dev.fledge.server.support.Api.metrics;
import static dev.fledge.server.support.Api.post;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.fledge.server.api.PublicPort;
import dev.fledge.server.support.MetricsText;
import dev.fledge.server.support.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The MLP fixture over the KServe Open Inference Protocol; it learned to name the largest of ten inputs. */
@QuarkusTest
@TestProfile(Profiles.Mlp.class)
class TensorInferenceTest {
    @Inject
    PublicPort publicPort;

    private static String row(int hot) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < 10; i++) {
            sb.append(i > 0 ? ", " : "").append(i == hot ? "0.95" : "0.1");
        }
        return sb.append("]").toString();
    }

    private static int argmax(List<Float> values, int from) {
        int best = from;
        for (int i = from; i < from + 10; i++) {
            if (values.get(i) > values.get(best)) {
                best = i;
            }
        }
        return best - from;
    }

    @Test
    void inferReturnsOneRowOfLogitsPerInputRow() {
        String body = "{\"inputs\": [{\"name\": \"input-0\", \"shape\": [2, 10], \"datatype\": \"FP32\", \"data\": ["
                + row(3) + ", " + row(7) + "]}]}";
        JsonPath out = post("/v2/models/digits/infer", body)
                .then()
                .statusCode(200)
                .header("X-Fledge-Model-Version", "1.0.0")
                .body("model_name", equalTo("digits"))
                .body("outputs[0].datatype", equalTo("FP32"))
                .body("outputs[0].shape", equalTo(List.of(2, 10)))
                .extract()
                .jsonPath();
        List<Float> data = out.getList("outputs[0].data", Float.class);
        assertThat(data).hasSize(20);
        assertThat(argmax(data, 0)).isEqualTo(3);
        assertThat(argmax(data, 10)).isEqualTo(7);
    }

    /** Review of session 9, MED 1: the public port (the replicas router's public Service) serves tensor inference. */
    @Test
    void inferIsServedOnThePublicPortAndCountedAsPublic() {
        String[] labels = {"release", "assistant", "version", "1.0.0", "audience", "", "outcome", "success"};
        MetricsText before = metrics();
        String body = "{\"inputs\": [{\"name\": \"input-0\", \"shape\": [10], \"datatype\": \"FP32\", \"data\": "
                + row(4) + "}]}";
        List<Float> data = given().port(publicPort.port())
                .contentType(ContentType.JSON)
                .header("X-Fledge-Audience", "internal")
                .body(body)
                .post("/v2/models/digits/infer")
                .then()
                .statusCode(200)
                .body("model_name", equalTo("digits"))
                .extract()
                .jsonPath()
                .getList("outputs[0].data", Float.class);
        assertThat(argmax(data, 0)).isEqualTo(4);
        MetricsText after = metrics();
        labels[5] = "public";
        assertThat(after.sum("fledge_model_requests_total", labels) - before.sum("fledge_model_requests_total", labels))
                .isEqualTo(1);
        labels[5] = "internal";
        assertThat(after.sum("fledge_model_requests_total", labels) - before.sum("fledge_model_requests_total", labels))
                .isZero();
    }

    @Test
    void shapeThatDoesNotFitTheModelIsRefused() {
        post(
                        "/v2/models/digits/infer",
                        "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 4], \"datatype\": \"FP32\","
                                + " \"data\": [1, 2, 3, 4]}]}")
                .then()
                .statusCode(400)
                .body("error.message", containsString("[N, 10]"));
        post(
                        "/v2/models/digits/infer",
                        "{\"inputs\": [{\"name\": \"x\", \"shape\": [2, 10], \"datatype\": \"FP32\"," + " \"data\": "
                                + row(1) + "}]}")
                .then()
                .statusCode(400)
                .body("error.message", containsString("needs 20"));
    }

    @Test
    void aWellFormedInputOfTheWrongWidthCountsAsModelLimitAMalformedOneAsInvalid() {
        String[] labels = {"release", "assistant", "version", "1.0.0", "audience", "public", "outcome", ""};
        MetricsText before = metrics();
        post(
                        "/v2/models/digits/infer",
                        "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 4], \"datatype\": \"FP32\","
                                + " \"data\": [1, 2, 3, 4]}]}")
                .then()
                .statusCode(400);
        post("/v1/completions", "{\"prompt\": \"x\"}").then().statusCode(400);
        post(
                        "/v2/models/digits/infer",
                        "{\"inputs\": [{\"name\": \"x\", \"shape\": [2, 10], \"datatype\": \"FP32\"," + " \"data\": "
                                + row(1) + "}]}")
                .then()
                .statusCode(400);
        MetricsText after = metrics();
        labels[7] = "model_limit";
        assertThat(after.value("fledge_model_requests_total", labels)
                        - before.value("fledge_model_requests_total", labels))
                .as("another width, and a text request to a tensor model: the model's limits")
                .isEqualTo(2);
        labels[7] = "invalid";
        assertThat(after.value("fledge_model_requests_total", labels)
                        - before.value("fledge_model_requests_total", labels))
                .as("data that does not fill the shape the client gave: malformed")
                .isEqualTo(1);
    }

    @Test
    void unknownModelNameIs404AndCompletionsPointToInfer() {
        post("/v2/models/other/infer", "{\"inputs\": []}").then().statusCode(404);
        post("/v1/completions", "{\"prompt\": \"x\"}")
                .then()
                .statusCode(400)
                .body("error.message", containsString("/v2/models/digits/infer"));
    }
}
