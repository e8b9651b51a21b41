package dev.fledge.helm.argocd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** health.lua against the fixtures and expectations of argocd/health_test.yaml. */
class HealthLuaTest {

    private static final Path HEALTH = ArgoLua.dir().resolve("health.lua");

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> cases() {
        return (List<Map<String, Object>>)
                ArgoLua.resource(ArgoLua.dir().resolve("health_test.yaml")).get("tests");
    }

    static Stream<Arguments> fixtures() {
        return cases().stream().map(c -> arguments(c.get("inputPath"), c.get("healthStatus")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void reportsTheDocumentedHealth(String inputPath, Map<String, Object> expected) {
        Object health = ArgoLua.run(HEALTH, ArgoLua.resource(ArgoLua.dir().resolve(inputPath)));

        assertThat(health).isEqualTo(expected);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyPhaseHasAFixture() {
        Set<Object> phases = cases().stream()
                .map(c -> ArgoLua.resource(ArgoLua.dir().resolve((String) c.get("inputPath"))))
                .map(r -> (Map<String, Object>) r.get("status"))
                .filter(s -> s != null)
                .map(s -> s.get("phase"))
                .collect(Collectors.toSet());

        assertThat(phases)
                .containsAll(
                        List.of("Pending", "Progressing", "Paused", "Promoted", "RolledBack", "Failed", "Invalid"));
    }

    @Test
    void everyFixtureIsChecked() throws Exception {
        Set<String> checked =
                cases().stream().map(c -> (String) c.get("inputPath")).collect(Collectors.toSet());
        try (Stream<Path> files = Files.list(ArgoLua.dir().resolve("testdata"))) {
            // the two action fixtures are the actions' own (ActionsLuaTest), not health cases
            Set<String> used = Stream.concat(
                            checked.stream(), Stream.of("testdata/action-requested.yaml", "testdata/action-read.yaml"))
                    .collect(Collectors.toSet());
            assertThat(files.map(f -> "testdata/" + f.getFileName())).allMatch(used::contains);
        }
    }
}
