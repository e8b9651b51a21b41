package dev.fledge.server.model;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import dev.fledge.server.serving.WorkerPool;
import dev.fledge.server.tensor.TensorBatch;

/** A tensor model (the MLP classifier) with its predictors. */
public final class TensorModel implements ServedModel {
    private final ModelDescriptor descriptor;
    private final Model model;
    private final WorkerPool<Predictor<TensorBatch, TensorBatch>> workers;
    private final InferenceThreads threads;

    public TensorModel(
            ModelDescriptor descriptor,
            Model model,
            WorkerPool<Predictor<TensorBatch, TensorBatch>> workers,
            InferenceThreads threads) {
        this.threads = threads;
        this.descriptor = descriptor;
        this.model = model;
        this.workers = workers;
    }

    @Override
    public ModelDescriptor descriptor() {
        return descriptor;
    }

    public int inputs() {
        return Architecture.MLP_INPUTS;
    }

    /** @param beforeInference runs once a worker is leased (see {@link TextModel#complete}) */
    public TensorBatch infer(TensorBatch input, Runnable beforeInference) {
        try (var lease = workers.lease()) {
            beforeInference.run();
            threads.pinCurrentThread();
            return lease.worker().predict(input);
        } catch (TranslateException e) {
            throw new IllegalStateException("inference failed", e);
        }
    }

    @Override
    public void warmUp() {
        infer(new TensorBatch(1, inputs(), new float[inputs()]), () -> {});
    }

    @Override
    public void close() {
        workers.close();
        model.close();
    }
}
