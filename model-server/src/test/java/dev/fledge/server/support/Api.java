package dev.fledge.server.support;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** Small HTTP helpers over RestAssured for the endpoints under test. */
public final class Api {
    private Api() {}

    public static Response post(String path, String json) {
        return given().contentType(ContentType.JSON).body(json).post(path);
    }

    public static Response post(String path, String json, String audience) {
        var spec = given().contentType(ContentType.JSON).body(json);
        if (audience != null) {
            spec.header("X-Fledge-Audience", audience);
        }
        return spec.post(path);
    }

    public static Response complete(String json, String audience) {
        var spec = given().contentType(ContentType.JSON).body(json);
        if (audience != null) {
            spec.header("X-Fledge-Audience", audience);
        }
        return spec.post("/v1/completions");
    }

    public static MetricsText metrics() {
        return new MetricsText(
                given().get("/metrics").then().statusCode(200).extract().asString());
    }
}
