package dev.fledge.server.guard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a guard policy from YAML: the built-in default or a file that replaces it. */
public final class PolicyLoader {
    public static final String DEFAULT_POLICY = "/guard/default-policy.yaml";

    private final ObjectMapper yaml =
            new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public Guard defaultPolicy() {
        try (InputStream in = PolicyLoader.class.getResourceAsStream(DEFAULT_POLICY)) {
            return read(in, "built-in " + DEFAULT_POLICY);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Guard fromFile(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read guard policy " + file + ": " + e.getMessage(), e);
        }
    }

    private Guard read(InputStream in, String source) throws IOException {
        try {
            return yaml.readValue(in, PolicyFile.class).compile();
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("invalid guard policy " + source + ": " + e.getMessage(), e);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("invalid guard policy " + source + ": " + e.getOriginalMessage(), e);
        }
    }
}
