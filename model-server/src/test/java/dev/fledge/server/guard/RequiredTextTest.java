package dev.fledge.server.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guard's fast path ({@link CategoryRule#matches}) must say exactly what the full match ({@code hits > 0}) says:
 * the required text of an expression is read conservatively ({@link RequiredText}), and every text, on the fast
 * path or not, gets the same verdict.
 */
class RequiredTextTest {

    @Test
    void literalsGroupsAndQuantifiersGiveWhatEveryMatchHolds() {
        assertThat(RequiredText.of("\\bkill(?:s|ed)? you\\b")).containsExactly("kill");
        assertThat(RequiredText.of("\\b(?:i|im|ill)\\b(?: \\w+){0,3} (?:kill|murder|stab)\\b"))
                .containsExactlyInAnyOrder("kill", "murder", "stab");
        assertThat(RequiredText.of("\\bhow to (?:make|build|cook) (?:a |an )?(?:bomb|gun)s?\\b"))
                .containsExactlyInAnyOrder("make", "build", "cook");
        assertThat(RequiredText.of("the Butler did it")).containsExactly("the butler did it");
        assertThat(RequiredText.of("ab+c")).hasSize(1); // "a" or "b", never "abc": b may repeat
        assertThat(RequiredText.of("ab+c")).doesNotContain("abc");
        assertThat(RequiredText.of("kill|murder")).containsExactlyInAnyOrder("kill", "murder");
        assertThat(RequiredText.of("x{2,3}y")).hasSize(1);
        assertThat(RequiredText.of("kil{1}l")).containsExactly("kill");
    }

    @Test
    void whatItCannotReadSaysNothing() {
        for (String unknown : new String[] {
            "[a-z]+ kill",
            "(?i)kill",
            "(?=kill)kill",
            "(?<!x)kill",
            "\\Qkill\\E",
            "(kill) \\1",
            "\\u006bill",
            "\u212Aill", // the Kelvin sign: matches "kill" case-insensitively
            "kill|",
            "(?:)",
            "a*",
            "\\w+",
            "kill)",
            "ki{,2}ll"
        }) {
            assertThat(RequiredText.of(unknown)).as(unknown).isNull();
        }
        assertThat(RequiredText.wordsOfAll(List.of("kill you", "[a-z]+"))).isNull();
        assertThat(RequiredText.wordsOfAll(List.of(" ", "kill"))).isNull();
        assertThat(RequiredText.wordsOfAll(List.of("blow (?:it|them) up"))).containsExactly("blow");
    }

    @Test
    void theFastPathAgreesWithTheFullMatchOnTheEvaluationSetAndRandomText() throws Exception {
        Guard guard = new PolicyLoader().defaultPolicy();
        List<String> texts = new ArrayList<>();
        GuardEvaluationTest.rows().forEach(row -> texts.add(row.text()));
        texts.addAll(randomTexts(guard.rules(), 20_000));
        assertAgree(guard, texts);
    }

    @Test
    void aPolicyWithExpressionsItCannotReadStillJudgesTheSame(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, """
                categories:
                  - name: classes
                    severity: low
                    words: [rosebud]
                    patterns: ['[kx]ill', 'the Butler did it']
                  - name: kelvin
                    severity: low
                    words: [sled]
                    patterns: ['\u212Aill (?:you|him)', 'ab+c']
                    exceptions: ['kill -?\\d+', 'sled ?dog']
                    contexts: [winter]
                """);
        Guard guard = new PolicyLoader().fromFile(file);
        assertThat(guard.judge("I will kill you").categories())
                .containsEntry("classes", true)
                .containsEntry("kelvin", true);
        assertThat(guard.judge("the sleddog abbbc").categories()).containsEntry("kelvin", true);
        assertAgree(guard, randomTexts(guard.rules(), 5_000));
    }

    private static void assertAgree(Guard guard, List<String> texts) {
        Set<String> words = new HashSet<>();
        guard.rules().forEach(r -> words.addAll(r.words()));
        TextNormaliser normaliser = new TextNormaliser(words);
        int fast = 0;
        int hit = 0;
        for (String text : texts) {
            String normalised = normaliser.normalise(text);
            boolean plain = CategoryRule.plain(normalised);
            fast += plain ? 1 : 0;
            for (CategoryRule rule : guard.rules()) {
                boolean full = rule.hits(normalised) > 0;
                hit += full ? 1 : 0;
                assertThat(rule.matches(normalised, plain))
                        .as(rule.name() + " on '" + normalised + "'")
                        .isEqualTo(full);
            }
        }
        assertThat(fast).as("texts on the fast path").isGreaterThan(texts.size() / 2);
        assertThat(hit).as("category matches, to compare both answers").isGreaterThan(texts.size() / 10);
    }

    /** Sentences of the policy's own words, pieces of its expressions and everyday words, some in upper case. */
    private static List<String> randomTexts(List<CategoryRule> rules, int count) {
        List<String> vocabulary = new ArrayList<>(List.of(
                "the",
                "a",
                "i",
                "im",
                "we",
                "will",
                "you",
                "him",
                "her",
                "them",
                "it",
                "up",
                "is",
                "are",
                "all",
                "those",
                "to",
                "how",
                "make",
                "cook",
                "process",
                "time",
                "bath",
                "not",
                "never",
                "myself",
                "yourself",
                "end",
                "my",
                "life",
                "history",
                "hotline",
                "novel",
                "shut",
                "and",
                "dance",
                "sell",
                "buy",
                "child",
                "sexual",
                "explicit",
                "minors",
                "report",
                "-9",
                "9",
                "garden",
                "flowers",
                "kiiill",
                "k.i.l.l",
                "k1ll",
                "b0mb",
                "self-harm",
                "café",
                "KILL",
                "Murder",
                "killjoy",
                "skilled",
                "blow",
                "launder",
                "money",
                "the shirts",
                "crisis line",
                "inferior race",
                "vermin",
                "rats",
                "done."));
        rules.forEach(r -> vocabulary.addAll(r.words()));
        Random random = new Random(17);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder text = new StringBuilder();
            int length = 1 + random.nextInt(14);
            for (int w = 0; w < length; w++) {
                text.append(w == 0 ? "" : random.nextInt(20) == 0 ? "  " : " ")
                        .append(vocabulary.get(random.nextInt(vocabulary.size())));
            }
            texts.add(text.toString());
        }
        return texts;
    }
}
