package dev.fledge.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/gitops.md: its examples parse, its values install, and the files it names exist. */
class GitOpsGuideTest {

    private static final Path REPO = ChartUnderTest.dir().getParent().getParent();
    private static final String GUIDE = read(REPO.resolve("docs/gitops.md"));

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> blocks(String language) {
        List<String> blocks = new ArrayList<>();
        Matcher m =
                Pattern.compile("```" + language + "\n(.*?)```", Pattern.DOTALL).matcher(GUIDE);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    @Test
    void everyYamlExampleParses() {
        assertThat(blocks("yaml"))
                .isNotEmpty()
                .allSatisfy(y -> assertThatCode(() -> Serialization.unmarshal(y, Map.class))
                        .doesNotThrowAnyException());
    }

    @Test
    @SuppressWarnings("unchecked")
    void applicationExampleValuesPassTheChartSchema() {
        Map<String, Object> application = blocks("yaml").stream()
                .map(y -> (Map<String, Object>) Serialization.unmarshal(y, Map.class))
                .filter(y -> "Application".equals(y.get("kind")))
                .findFirst()
                .orElseThrow();
        Map<String, Object> source =
                (Map<String, Object>) ((Map<String, Object>) application.get("spec")).get("source");
        Object values = ((Map<String, Object>) source.get("helm")).get("valuesObject");

        assertThat(source.get("path")).isEqualTo("helm/fledge");
        assertThatCode(() -> ChartUnderTest.render(Serialization.asYaml(values)))
                .doesNotThrowAnyException();
    }

    @Test
    void everyRepositoryFileItNamesExists() {
        Matcher m = Pattern.compile("`(helm/fledge/[^`<>\\s]+)`").matcher(GUIDE);
        List<String> named = new ArrayList<>();
        while (m.find()) {
            named.add(m.group(1));
        }

        assertThat(named)
                .isNotEmpty()
                .allSatisfy(f -> assertThat(REPO.resolve(f)).exists());
        for (String action : List.of("promote", "abort", "retry", "pause", "resume")) {
            assertThat(REPO.resolve("helm/fledge/argocd/actions/" + action + "/action.lua"))
                    .exists();
        }
    }

    @Test
    void patchCommandUsesTheGeneratedPatchFile() {
        assertThat(blocks("sh"))
                .anySatisfy(
                        sh -> assertThat(sh)
                                .contains(
                                        "kubectl -n argocd patch configmap argocd-cm --type merge --patch-file helm/fledge/argocd/argocd-cm.yaml"));
        assertThat(REPO.resolve("helm/fledge/argocd/argocd-cm.yaml")).exists();
    }
}
