package dev.fledge.server.api.infer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fledge.server.api.ApiException;
import dev.fledge.server.tensor.TensorBatch;
import java.util.List;
import java.util.Set;

/** Checks an Open Inference Protocol input tensor against the model's input width and reads its data. */
final class TensorDecoder {
    private static final Set<String> NUMERIC =
            Set.of("FP32", "FP64", "FP16", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64");

    TensorBatch decode(InferRequest.Input input, int width) {
        if (input.datatype() == null || !NUMERIC.contains(input.datatype())) {
            throw ApiException.invalid("input datatype must be numeric (e.g. FP32), got " + input.datatype());
        }
        List<Integer> shape = input.shape();
        if (shape == null
                || shape.isEmpty()
                || shape.size() > 2
                || shape.stream().anyMatch(d -> d == null || d < 1)) {
            throw ApiException.invalid("input shape must be [" + width + "] or [N, " + width + "], got " + shape);
        }
        if (shape.get(shape.size() - 1) != width) {
            throw ApiException.modelLimit("input shape must be [" + width + "] or [N, " + width + "], got " + shape
                    + " (this model's" + " input width is " + width + ")");
        }
        int rows = shape.size() == 1 ? 1 : shape.get(0);
        if (rows > 4096) {
            throw ApiException.invalid("at most 4096 rows per request, got " + rows);
        }
        float[] data = new float[rows * width];
        int n = fill(input.data(), data, 0);
        if (n != data.length) {
            throw ApiException.invalid("input data has " + n + " values, shape " + shape + " needs " + data.length);
        }
        return new TensorBatch(rows, width, data);
    }

    private static int fill(JsonNode node, float[] out, int at) {
        if (node == null || node.isNull()) {
            throw ApiException.invalid("field 'inputs[0].data' is required");
        }
        if (node.isNumber()) {
            if (at < out.length) {
                out[at] = node.floatValue();
            }
            return at + 1;
        }
        if (!node.isArray()) {
            throw ApiException.invalid("input data must be numbers (flat or nested arrays)");
        }
        int next = at;
        for (JsonNode item : node) {
            next = fill(item, out, next);
        }
        return next;
    }
}
