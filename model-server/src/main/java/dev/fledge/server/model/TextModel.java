package dev.fledge.server.model;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import dev.fledge.server.serving.WorkerPool;
import dev.fledge.server.text.Generation;
import dev.fledge.server.text.TextGenerator;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** A word-level language model with its predictors. */
public final class TextModel implements ServedModel {
    private final ModelDescriptor descriptor;
    private final Model model;
    private final WorkerPool<Predictor<int[], float[]>> workers;
    private final TextGenerator generator;
    private final InferenceThreads threads;

    public TextModel(
            ModelDescriptor descriptor,
            Model model,
            WorkerPool<Predictor<int[], float[]>> workers,
            TextGenerator generator,
            InferenceThreads threads) {
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
     * Generates on the calling thread.
     *
     * @param beforeInference runs once a worker is leased (the fault knobs hook in here, so that injected
     *     latency holds a worker the way a slow model would)
     */
    public Generation complete(String prompt, int maxTokens, double temperature, long seed, Runnable beforeInference) {
        try (var lease = workers.lease()) {
            return generate(
                    lease.worker(), prompt, maxTokens, temperature, seed, beforeInference, TextGenerator.NO_PIECES);
        }
    }

    /**
     * Generates on one of the model's inference threads (see {@link WorkerPool#submit}); refused at once with
     * {@link dev.fledge.server.serving.OverloadedException} when the queue is full. {@code pieces} is told each
     * generated word as it comes (streaming), on the inference thread.
     */
    public CompletableFuture<Generation> completeAsync(
            String prompt,
            int maxTokens,
            double temperature,
            long seed,
            Runnable beforeInference,
            Consumer<String> pieces) {
        return workers.submit(
                predictor -> generate(predictor, prompt, maxTokens, temperature, seed, beforeInference, pieces));
    }

    private Generation generate(
            Predictor<int[], float[]> predictor,
            String prompt,
            int maxTokens,
            double temperature,
            long seed,
            Runnable beforeInference,
            Consumer<String> pieces) {
        beforeInference.run();
        threads.pinCurrentThread();
        try {
            return generator.generate(predictor, prompt, maxTokens, temperature, seed, pieces);
        } catch (TranslateException e) {
            throw new IllegalStateException("inference failed", e);
        }
    }

    @Override
    public void warmUp() {
        complete("hello", 4, 1.0, 0, () -> {});
    }

    @Override
    public void close() {
        workers.close();
        model.close();
    }
}
