package dev.fledge.e2e.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.e2e.apiserver.RepoFiles;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The model server's public port serves the paths the operator's Gateway routes carry, no more and no fewer (review of
 * session 9, LOW 2): a path only the routes carry is 404 behind the replicas router's public Service, and a path only
 * the public port serves is reachable there but not through a Gateway. The two lists live in modules that do not
 * depend on each other: the operator's is read from its class, the model server's from its source.
 */
class PublicPortServesTheRoutedPathsTest {
    static final String PUBLIC_PORT = "model-server/src/main/java/dev/fledge/server/api/PublicPort.java";

    @Test
    void thePublicPortsPathsAreTheRoutesModelApiPaths() throws Exception {
        assertThat(sorted(publicPortPaths()))
                .as("PublicPort.MODEL_API_PATHS (%s) against HttpRoutes.MODEL_API_PATHS", PUBLIC_PORT)
                .isNotEmpty()
                .isEqualTo(sorted(routedPaths()));
    }

    @SuppressWarnings("unchecked")
    private static List<String> routedPaths() throws ReflectiveOperationException {
        Field f = Class.forName("dev.fledge.operator.routing.HttpRoutes").getDeclaredField("MODEL_API_PATHS");
        f.setAccessible(true);
        return (List<String>) f.get(null);
    }

    private static List<String> publicPortPaths() throws IOException {
        String source = Files.readString(RepoFiles.repo().resolve(PUBLIC_PORT));
        Matcher list = Pattern.compile("MODEL_API_PATHS\\s*=\\s*List\\.of\\(([^)]*)\\)")
                .matcher(source);
        assertThat(list.find())
                .as("%s declares MODEL_API_PATHS = List.of(...)", PUBLIC_PORT)
                .isTrue();
        List<String> paths = new ArrayList<>();
        Matcher literal = Pattern.compile("\"([^\"]*)\"").matcher(list.group(1));
        while (literal.find()) {
            paths.add(literal.group(1));
        }
        return paths;
    }

    private static List<String> sorted(List<String> paths) {
        return paths.stream().sorted().toList();
    }
}
