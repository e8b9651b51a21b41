package dev.fledge.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/architecture.md writes out the engine's rules; they must say what {@link Transition#RULES} applies, in its order. */
class RuleListMatchesTheDocsTest {
    private static final Path DOC = Path.of("../docs/architecture.md");
    private static final Pattern ITEM = Pattern.compile("^\\s*(\\d+)\\. (.*)$");

    @Test
    void theArchitectureDocListsTheRulesOfTheCodeInTheirOrder() throws IOException {
        List<String> documented = documentedRules(Files.readString(DOC));
        assertThat(documented)
                .as("the numbered list between <!-- rules --> and <!-- /rules --> in " + DOC)
                .containsExactlyElementsOf(
                        Transition.RULES.stream().map(Transition.Rule::doc).toList());
    }

    /** The items of the numbered list between the markers, each item's lines joined with single spaces. */
    private static List<String> documentedRules(String doc) {
        int start = doc.indexOf("<!-- rules:");
        int end = doc.indexOf("<!-- /rules -->");
        assertThat(start).as("the <!-- rules: --> marker").isNotNegative();
        assertThat(end).as("the <!-- /rules --> marker").isGreaterThan(start);
        List<String> items = new ArrayList<>();
        for (String line :
                doc.substring(doc.indexOf('\n', start) + 1, end).lines().toList()) {
            Matcher m = ITEM.matcher(line);
            if (m.matches()) {
                assertThat(Integer.parseInt(m.group(1))).as("numbering").isEqualTo(items.size() + 1);
                items.add(m.group(2).strip());
            } else if (!line.isBlank() && !items.isEmpty()) {
                items.set(items.size() - 1, items.get(items.size() - 1) + " " + line.strip());
            }
        }
        return items;
    }
}
