package dev.fledge.server.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The small JSON file ({@value #FILE_NAME}) next to the DJL weights. DJL's {@code .params} hold weights only,
 * so the descriptor names the built-in architecture that the weights belong to.
 *
 * @param architecture {@code word-lstm-lm} (text) or {@code mlp-10-128-64-10} (tensors)
 * @param weights prefix of the {@code <weights>-0000.params} file
 * @param vocabulary vocabulary file of a text model, one token a line, the line number is the id
 * @param embeddingSize word embedding width of a text model
 * @param hiddenSize LSTM state size of a text model
 * @param contextLength how many trailing tokens a text model sees per step
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelDescriptor(
        String architecture, String weights, String vocabulary, int embeddingSize, int hiddenSize, int contextLength) {

    public static final String FILE_NAME = "fledge-model.json";

    public static ModelDescriptor read(Path modelDir) {
        Path file = modelDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("model directory " + modelDir + " has no " + FILE_NAME);
        }
        try {
            return new ObjectMapper().readValue(file.toFile(), ModelDescriptor.class);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public void write(Path modelDir) throws IOException {
        new ObjectMapper()
                .writerWithDefaultPrettyPrinter()
                .writeValue(modelDir.resolve(FILE_NAME).toFile(), this);
    }

    public Architecture kind() {
        return Architecture.named(architecture);
    }
}
