package dev.fledge.operator.gates.metric;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** Reads the JSON of Prometheus's {@code /api/v1/query} into one number, or says why it cannot. */
final class PrometheusResponse {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PrometheusResponse() {}

    static QueryResult parse(int httpStatus, String body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            return new QueryResult.Unusable("Prometheus answered HTTP " + httpStatus + " with a body that is not JSON");
        }
        if (root == null || !"success".equals(root.path("status").asText())) {
            // the error text is not shown: it can quote series (of any namespace) or the proxy's internals
            String type = root == null ? "" : root.path("errorType").asText("");
            return new QueryResult.Unusable("Prometheus refused the query (HTTP " + httpStatus
                    + (type.matches("[a-z_]{1,40}") ? ", " + type : "")
                    + "); check its syntax with promtool or the Prometheus UI");
        }
        JsonNode data = root.path("data");
        String type = data.path("resultType").asText();
        JsonNode result = data.path("result");
        if ("scalar".equals(type)) {
            return number(result.path(1));
        }
        if (!"vector".equals(type)) {
            return new QueryResult.Unusable("the query returned a " + (type.isEmpty() ? "malformed" : type)
                    + " result; it must return a scalar or a one-element vector");
        }
        if (!result.isArray() || result.isEmpty()) {
            return new QueryResult.NoData("the query returned an empty vector");
        }
        if (result.size() > 1) {
            return new QueryResult.Unusable("the query returned " + result.size()
                    + " series; it must return one (aggregate with sum, max, ...)");
        }
        return number(result.get(0).path("value").path(1));
    }

    private static QueryResult number(JsonNode sample) {
        if (!sample.isTextual()) {
            return new QueryResult.Unusable("the result has no sample value");
        }
        double v;
        try {
            v = Double.parseDouble(sample.asText().replace("Inf", "Infinity").replace("+", ""));
        } catch (NumberFormatException e) {
            return new QueryResult.Unusable("the sample value " + truncate(sample.asText()) + " is not a number");
        }
        return Double.isNaN(v)
                ? new QueryResult.NoData("the query returned NaN (no traffic in the window?)")
                : new QueryResult.Value(v);
    }

    private static String truncate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
