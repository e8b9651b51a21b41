package dev.fledge.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The engine is a pure function: crds brings Fabric8's client API onto core's classpath (for CustomResource), so the
 * compiler alone cannot stop a client call here. This test does: no main source of core may import the Kubernetes
 * client, Quarkus, the operator SDK or an HTTP client.
 */
class CoreStaysPureTest {
    private static final List<String> FORBIDDEN = List.of(
            "import io.fabric8.kubernetes.client",
            "import io.quarkus",
            "import io.javaoperatorsdk",
            "import java.net.http",
            "import java.net.HttpURLConnection");

    @Test
    void noMainSourceOfCoreImportsAClientOrAFramework() throws IOException {
        Path main = Path.of("src/main/java");
        List<Path> sources;
        try (Stream<Path> files = Files.walk(main)) {
            sources = files.filter(f -> f.toString().endsWith(".java")).toList();
        }
        assertThat(sources).isNotEmpty();
        for (Path source : sources) {
            List<String> imports = Files.readAllLines(source).stream()
                    .filter(line -> FORBIDDEN.stream().anyMatch(line::startsWith))
                    .toList();
            assertThat(imports).as(source.toString()).isEmpty();
        }
    }
}
