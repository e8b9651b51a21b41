package dev.fledge.server.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.regex.Pattern;

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

    /** A weights prefix names a file of the model directory itself: no separator, no {@code ..}. */
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");

    public static ModelDescriptor read(Path modelDir) {
        Path file = modelDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("model directory " + modelDir + " has no " + FILE_NAME);
        }
        ModelDescriptor d;
        try {
            d = new ObjectMapper().readValue(file.toFile(), ModelDescriptor.class);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (d.weights() == null
                || !PLAIN_NAME.matcher(d.weights()).matches()
                || d.weights().contains("..")) {
            throw new ModelLoadException(FILE_NAME + ": 'weights' must be a file name prefix inside the model"
                    + " directory (letters, digits, '.', '_', '-'; no path)");
        }
        return d;
    }

    /**
     * A file the descriptor names, resolved inside the model directory. A path that leaves it ({@code ../..}, an
     * absolute path, a symbolic link pointing out) is refused: the archive's author chooses the descriptor.
     */
    public static Path inside(Path modelDir, String field, String relative) {
        if (relative == null || relative.isBlank()) {
            throw new ModelLoadException(FILE_NAME + ": '" + field + "' is required");
        }
        try {
            Path root = modelDir.toRealPath();
            Path named = root.resolve(relative).normalize();
            if (named.startsWith(root) && !named.equals(root)) {
                Path real = Files.exists(named) ? named.toRealPath() : named;
                if (real.startsWith(root)) {
                    return real;
                }
            }
        } catch (IOException | InvalidPathException e) {
            // refused below
        }
        throw new ModelLoadException(
                FILE_NAME + ": '" + field + "' must name a file inside the model directory; refusing to read it");
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
