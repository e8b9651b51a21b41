package dev.fledge.server.tensor;

/** A row-major FP32 matrix. */
public record TensorBatch(int rows, int columns, float[] data) {
    public TensorBatch {
        if (data.length != rows * columns) {
            throw new IllegalArgumentException("data has " + data.length + " values, shape needs " + rows * columns);
        }
    }
}
