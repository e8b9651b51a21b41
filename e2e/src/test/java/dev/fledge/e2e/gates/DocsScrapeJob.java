package dev.fledge.e2e.gates;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.fledge.e2e.apiserver.RepoFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The plain Prometheus scrape job that docs/servers.md shows ("Plain Prometheus"), read from the page as a reader
 * would copy it: the tests that run it prove the page.
 */
public final class DocsScrapeJob {
    public static final ObjectMapper YAML =
            new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));

    private DocsScrapeJob() {}

    /** The first entry of the page's {@code scrape_configs} block. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> read() {
        try {
            String doc = Files.readString(RepoFiles.repo().resolve("docs/servers.md"));
            Matcher m = Pattern.compile("```yaml\n(scrape_configs:.*?)```", Pattern.DOTALL)
                    .matcher(doc);
            if (!m.find()) {
                throw new AssertionError("docs/servers.md shows no scrape_configs block");
            }
            Map<String, Object> config = YAML.readValue(m.group(1), Map.class);
            return ((List<Map<String, Object>>) config.get("scrape_configs")).get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
