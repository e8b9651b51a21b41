package dev.fledge.server.model;

import ai.djl.modality.nlp.DefaultVocabulary;
import ai.djl.modality.nlp.embedding.TrainableWordEmbedding;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.recurrent.LSTM;
import java.util.Arrays;
import java.util.stream.IntStream;

/** The built-in architectures a descriptor can name. The same code builds the block for training and serving. */
public enum Architecture {
    /** Word-level recurrent language model: ids (B,T) to next-word logits (B*T, V). */
    WORD_LSTM_LM("word-lstm-lm") {
        @Override
        public Block block(ModelDescriptor d, int vocabularySize) {
            int hidden = d.hiddenSize();
            return new SequentialBlock()
                    .add(embedding(vocabularySize, d.embeddingSize()))
                    .add(LSTM.builder()
                            .setStateSize(hidden)
                            .setNumLayers(1)
                            .optBatchFirst(true)
                            .optReturnState(false)
                            .build())
                    .add(list -> new NDList(list.singletonOrThrow().reshape(-1, hidden)))
                    .add(Linear.builder().setUnits(vocabularySize).build());
        }
    },
    /** The seed's Keras MLP classifier: 10 inputs, 128 and 64 ReLU units, 10 logits. */
    MLP_10_128_64_10("mlp-10-128-64-10") {
        @Override
        public Block block(ModelDescriptor d, int vocabularySize) {
            return new SequentialBlock()
                    .add(Linear.builder().setUnits(128).build())
                    .add(Activation::relu)
                    .add(Linear.builder().setUnits(64).build())
                    .add(Activation::relu)
                    .add(Linear.builder().setUnits(10).build());
        }
    };

    public static final int MLP_INPUTS = 10;

    /**
     * A plain embedding table looked up by id. (DJL's {@code IdEmbedding} is not safe for two predictors at once:
     * it temporarily re-attaches the shared weight array.) The words themselves live in the model's
     * vocabulary file; here only their number matters.
     */
    private static Block embedding(int vocabularySize, int width) {
        var ids = IntStream.range(0, vocabularySize).mapToObj(Integer::toString).toList();
        return new TrainableWordEmbedding(new DefaultVocabulary(ids), width);
    }

    private final String id;

    Architecture(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public abstract Block block(ModelDescriptor descriptor, int vocabularySize);

    public static Architecture named(String id) {
        return Arrays.stream(values())
                .filter(a -> a.id.equals(id))
                .findFirst()
                .orElseThrow(() -> new ModelLoadException("unknown architecture '" + id + "'; built-in: "
                        + Arrays.stream(values()).map(Architecture::id).toList()));
    }
}
