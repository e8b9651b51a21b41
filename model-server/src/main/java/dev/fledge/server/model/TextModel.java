package dev.fledge.server.model;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import dev.fledge.server.serving.WorkerPool;
import dev.fledge.server.text.Generation;
import dev.fledge.server.text.TextGenerator;

/** A word-level language model with its predictors. */
public final class TextModel implements ServedModel {
    private final ModelDescriptor descriptor;
    private final Model model;
    private final WorkerPool<Predictor<int[], float[]>> workers;
    private final TextGenerator generator;
    private final InferenceThreads threads;

    public TextModel(ModelDescriptor descriptor, Model model, WorkerPool<Predictor<int[], float[]>> workers,
            TextGenerator generator, InferenceThreads threads) {
        this.threads = threads;
        this.descriptor = descriptor;
        this.model = model;
        this.workers = workers;
        this.generator = generator;
    }

    @Override
    public ModelDescriptor descriptor() {
        return descriptor;
    }

    /**
     * @param beforeInference runs once a worker is leased (the fault knobs hook in here, so that injected
     *     latency holds a worker the way a slow model would)
     */
    public Generation complete(String prompt, int maxTokens, double temperature, long seed,
            Runnable beforeInference) {
        try (var lease = workers.lease()) {
            beforeInference.run();
            threads.pinCurrentThread();
            return generator.generate(lease.worker(), prompt, maxTokens, temperature, seed);
        } catch (TranslateException e) {
            throw new IllegalStateException("inference failed", e);
        }
    }

    @Override
    public void warmUp() {
        complete("hello", 4, 1.0, 0, () -> { });
    }

    @Override
    public void close() {
        workers.close();
        model.close();
    }
}
