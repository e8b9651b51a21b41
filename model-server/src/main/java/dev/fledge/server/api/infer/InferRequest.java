package dev.fledge.server.api.infer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/** KServe Open Inference Protocol (v2) request. */
public record InferRequest(
        String id, Map<String, Object> parameters, List<Input> inputs, List<Map<String, Object>> outputs) {

    /** {@code data} may be flat (row-major) or nested. */
    public record Input(
            String name, List<Integer> shape, String datatype, Map<String, Object> parameters, JsonNode data) {}
}
