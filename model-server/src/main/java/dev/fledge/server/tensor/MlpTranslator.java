package dev.fledge.server.tensor;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

/** A batch of rows in (flattened, with its row count), a batch of logits out (flattened). */
public final class MlpTranslator implements NoBatchifyTranslator<TensorBatch, TensorBatch> {

    @Override
    public NDList processInput(TranslatorContext ctx, TensorBatch input) {
        return new NDList(ctx.getNDManager().create(input.data(), new Shape(input.rows(), input.columns())));
    }

    @Override
    public TensorBatch processOutput(TranslatorContext ctx, NDList list) {
        var out = list.singletonOrThrow();
        return new TensorBatch((int) out.getShape().get(0), (int) out.getShape().get(1), out.toFloatArray());
    }
}
