package dev.fledge.e2e.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Commands and statements in the docs that a reader runs or relies on: annotate commands that work on a release
 * that already carries the annotation, and none of the statements the code has since made false.
 */
class DocsCommandsTest {
    private static final RepoText REPO = RepoText.load();

    /** The docs, the chart's NOTES.txt and the examples' comments: every text a reader copies a command from. */
    private static Map<String, String> readerTexts() {
        Map<String, String> texts = new LinkedHashMap<>(REPO.docs());
        REPO.sources().forEach((file, text) -> {
            if (file.startsWith("examples/") || file.equals("helm/fledge/templates/NOTES.txt")) {
                texts.put(file, text);
            }
        });
        return texts;
    }

    @Test
    void everyAnnotateCommandForAnActionOverwrites() {
        Set<String> without = new TreeSet<>();
        readerTexts().forEach((file, text) -> {
            for (String line : text.replace("\\\n", " ").split("\n")) {
                Matcher m = Pattern.compile("kubectl [^`|#]*annotate [^`|#]*fledge\\.dev/action=[^`|#]*")
                        .matcher(line);
                while (m.find()) {
                    if (!m.group().contains("--overwrite")) {
                        without.add(file + ": " + m.group().strip());
                    }
                }
            }
        });

        assertThat(without)
                .as("kubectl annotate commands without --overwrite (they fail on a release that carries an action)")
                .isEmpty();
    }

    /** Each: a statement the docs once made, and why it is false now. */
    private static final Map<String, String> REFUTED = Map.of(
            "(?i)there is no webhook notification",
            "the operator sends webhook notifications (notify/, runbook 'Notifications')",
            "`abort` is ignored once the stage is `promoting`",
            "abort while promoting puts stable back to status.stable (core Transition)",
            "(?i)no gate moves it",
            "a paused rollout still rolls back on a failing gate",
            "does not add a nonce yet",
            "kubectl fledge and the Argo CD actions write ACTION:NONCE",
            "maxNegativeRate / 2, maxNegativeRate\\]",
            "the feedback gate's harmful rate is twice maxNegativeRate (BayesPolicy.harmfulFor)",
            "runs the operator module's classes",
            "the CLI depends on crds/ and core/ only (cli/pom.xml)",
            "(?i)there is no (CLI|kubectl plugin)",
            "cli/ is the kubectl fledge plugin",
            "https?://\\S+\\.tar\\.gz",
            "the model server loads zip archives (ModelLocator), not tar.gz");

    @Test
    void theDocsRepeatNoStatementTheCodeHasMadeFalse() {
        Set<String> found = new TreeSet<>();
        // the docs, the code's help texts and messages, and the chart (its Argo CD actions' descriptions)
        Map<String, String> texts = readerTexts();
        REPO.sources().forEach((file, text) -> {
            if (file.contains("/src/main/") || file.startsWith("helm/fledge/")) {
                texts.put(file, text);
            }
        });
        texts.forEach((file, text) -> REFUTED.forEach((statement, why) -> {
            Matcher m = Pattern.compile(statement).matcher(text);
            if (m.find()) {
                found.add(file + ": '" + m.group() + "', but " + why);
            }
        }));

        assertThat(found).as("statements the code has made false").isEmpty();
    }
}
