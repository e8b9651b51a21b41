package dev.fledge.server.api.infer;

import java.util.List;

/** KServe Open Inference Protocol (v2) response. */
public record InferResponse(String model_name, String model_version, String id, List<Output> outputs) {

    public record Output(String name, List<Integer> shape, String datatype, float[] data) {}
}
