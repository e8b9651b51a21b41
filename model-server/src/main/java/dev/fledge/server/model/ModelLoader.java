package dev.fledge.server.model;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.translate.Translator;
import dev.fledge.server.serving.WorkerPool;
import dev.fledge.server.tensor.MlpTranslator;
import dev.fledge.server.text.NextWordTranslator;
import dev.fledge.server.text.TextGenerator;
import dev.fledge.server.text.Vocabulary;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Builds the descriptor's architecture, loads its DJL weights and opens one predictor per worker. */
public final class ModelLoader {
    private final int workers;
    private final int queue;
    private final Duration queueTimeout;
    private final InferenceThreads threads;

    /** @param threads PyTorch intra-op threads per request */
    public ModelLoader(int workers, int queue, Duration queueTimeout, int threads) {
        this.threads = new InferenceThreads(threads);
        this.workers = workers;
        this.queue = queue;
        this.queueTimeout = queueTimeout;
    }

    public ServedModel load(Path dir) {
        ModelDescriptor descriptor = ModelDescriptor.read(dir);
        Architecture architecture = descriptor.kind();
        try {
            if (architecture == Architecture.WORD_LSTM_LM) {
                Vocabulary vocabulary =
                        Vocabulary.read(ModelDescriptor.inside(dir, "vocabulary", descriptor.vocabulary()));
                Model model = open(dir, descriptor, architecture, vocabulary.size());
                return new TextModel(
                        descriptor,
                        model,
                        predictors(model, new NextWordTranslator()),
                        new TextGenerator(vocabulary, descriptor.contextLength()),
                        threads);
            }
            Model model = open(dir, descriptor, architecture, 0);
            return new TensorModel(descriptor, model, predictors(model, new MlpTranslator()), threads);
        } catch (IOException | MalformedModelException e) {
            throw new ModelLoadException("cannot load model from " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Model open(Path dir, ModelDescriptor d, Architecture architecture, int vocabularySize)
            throws IOException, MalformedModelException {
        Model model = Model.newInstance(d.weights());
        model.setBlock(architecture.block(d, vocabularySize));
        model.load(dir, d.weights());
        return model;
    }

    private <I, O> WorkerPool<Predictor<I, O>> predictors(Model model, Translator<I, O> translator) {
        List<Predictor<I, O>> list = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            list.add(model.newPredictor(translator));
        }
        return new WorkerPool<>(list, queue, queueTimeout);
    }
}
