package dev.fledge.server.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

/** Token ids of one context window in, logits of the word after its last token out. */
public final class NextWordTranslator implements NoBatchifyTranslator<int[], float[]> {

    @Override
    public NDList processInput(TranslatorContext ctx, int[] ids) {
        return new NDList(ctx.getNDManager().create(ids, new Shape(1, ids.length)));
    }

    @Override
    public float[] processOutput(TranslatorContext ctx, NDList list) {
        NDArray logits = list.singletonOrThrow();
        return logits.get(logits.getShape().get(0) - 1).toFloatArray();
    }
}
