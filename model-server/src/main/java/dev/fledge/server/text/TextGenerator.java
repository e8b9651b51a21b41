package dev.fledge.server.text;

import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/** Samples words one at a time from a word-level language model. Same seed, same text. */
public final class TextGenerator {
    /** No listener: nothing is streamed. */
    public static final Consumer<String> NO_PIECES = piece -> {};

    private final Vocabulary vocabulary;
    private final int contextLength;

    public TextGenerator(Vocabulary vocabulary, int contextLength) {
        this.vocabulary = vocabulary;
        this.contextLength = contextLength;
    }

    /**
     * @param temperature 0 picks the most likely word, higher values flatten the distribution
     */
    public Generation generate(
            Predictor<int[], float[]> predictor, String prompt, int maxTokens, double temperature, long seed)
            throws TranslateException {
        return generate(predictor, prompt, maxTokens, temperature, seed, NO_PIECES);
    }

    /**
     * The same, telling {@code pieces} each generated word as it comes, with the space before it (none before the
     * first word or a punctuation mark): the pieces put together are the generation's text.
     */
    public Generation generate(
            Predictor<int[], float[]> predictor,
            String prompt,
            int maxTokens,
            double temperature,
            long seed,
            Consumer<String> pieces)
            throws TranslateException {
        int[] promptIds = vocabulary.encode(prompt);
        List<Integer> context = new ArrayList<>();
        if (promptIds.length == 0) {
            context.add(vocabulary.id("."));
        }
        Arrays.stream(promptIds).forEach(context::add);
        SplittableRandom random = new SplittableRandom(seed);
        List<Integer> generated = new ArrayList<>(maxTokens);
        for (int i = 0; i < maxTokens; i++) {
            int from = Math.max(0, context.size() - contextLength);
            int[] window = context.subList(from, context.size()).stream()
                    .mapToInt(Integer::intValue)
                    .toArray();
            int next = sample(predictor.predict(window), temperature, random);
            generated.add(next);
            context.add(next);
            if (pieces != NO_PIECES) {
                pieces.accept(vocabulary.piece(next, i == 0));
            }
        }
        return new Generation(vocabulary.decode(generated), promptIds.length, generated.size());
    }

    /** Never picks id 0 ({@code <unk>}). */
    static int sample(float[] logits, double temperature, SplittableRandom random) {
        if (temperature <= 0) {
            int best = 1;
            for (int i = 2; i < logits.length; i++) {
                if (logits[i] > logits[best]) {
                    best = i;
                }
            }
            return best;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 1; i < logits.length; i++) {
            max = Math.max(max, logits[i]);
        }
        double[] weights = new double[logits.length];
        double total = 0;
        for (int i = 1; i < logits.length; i++) {
            weights[i] = Math.exp((logits[i] - max) / temperature);
            total += weights[i];
        }
        double r = random.nextDouble() * total;
        for (int i = 1; i < logits.length; i++) {
            r -= weights[i];
            if (r <= 0) {
                return i;
            }
        }
        return logits.length - 1;
    }
}
