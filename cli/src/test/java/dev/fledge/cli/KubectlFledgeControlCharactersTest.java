package dev.fledge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import io.fabric8.kubernetes.api.model.EventBuilder;
import java.io.IOException;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, finding 10: a tenant writes strings that {@code kubectl fledge} prints (through gate reasons, which quote
 * model outputs, and Events). Escape sequences that clear the screen, set the title, draw a hyperlink or move the
 * cursor, and a carriage return that overwrites the line, never reach the terminal; the text around them does.
 */
class KubectlFledgeControlCharactersTest {
    /** Clear screen, OSC title, OSC 8 hyperlink, cursor up, C1 CSI, carriage return, bidi override, NUL, DEL. */
    static final String HOSTILE = "ok\u001b[2J\u001b]0;pwned-title\u0007\u001b]8;;https://evil.example\u0007click"
            + "\u001b]8;;\u0007\u001b[1A\u009b31m\rforged line\u202egnp.exe\u0000\u007f end";

    static final Pattern CONTROL =
            Pattern.compile("[\\x00-\\x09\\x0b-\\x1f\\x7f-\\x9f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]");

    static CliHarness cli;

    @BeforeAll
    static void start() throws IOException {
        cli = new CliHarness();
        var releases = cli.client().resources(ModelRelease.class).inNamespace("ml");
        ModelRelease mr = releases.withName("translator").get();
        mr.getStatus().setMessage("rolled back: " + HOSTILE);
        mr.getStatus().getGates().get(0).setReason("judge said " + HOSTILE);
        mr.getStatus().getHistory().forEach(h -> h.setReason("history " + HOSTILE));
        releases.resource(mr).updateStatus();
        cli.client()
                .v1()
                .events()
                .inNamespace("ml")
                .resource(new EventBuilder()
                        .withNewMetadata()
                        .withName("translator.hostile")
                        .withNamespace("ml")
                        .endMetadata()
                        .withNewInvolvedObject()
                        .withApiVersion("fledge.dev/v1alpha1")
                        .withKind("ModelRelease")
                        .withName("translator")
                        .withNamespace("ml")
                        .endInvolvedObject()
                        .withType("Warning")
                        .withReason("GateFailed")
                        .withMessage("event " + HOSTILE)
                        .withFirstTimestamp("2026-11-28T11:31:00Z")
                        .withLastTimestamp("2026-11-28T11:31:00Z")
                        .withCount(1)
                        .build())
                .create();
    }

    @AfterAll
    static void stop() {
        cli.close();
    }

    @Test
    void noControlCharacterFromTheClusterReachesTheTerminal() {
        for (String[] args : new String[][] {
            {"get", "translator", "-n", "ml"}, {"get", "-n", "ml"}, {"history", "translator", "-n", "ml"}
        }) {
            CliHarness.Result r = cli.run(args);
            assertThat(r.code()).as(String.join(" ", args)).isZero();
            assertThat(CONTROL.matcher(r.out()).find())
                    .as("control character in the output of %s:%n%s", String.join(" ", args), r.out())
                    .isFalse();
            assertThat(r.err()).isEmpty();
        }
        String tree = cli.run("get", "translator", "-n", "ml").out();
        assertThat(tree)
                .as("the text stays readable, the escapes are shown inert")
                .contains("judge said ok?[2J?]0;pwned-title?", "forged line?gnp.exe?? end", "event ok?[2J");
    }

    @Test
    void theCleanerKeepsPlainTextAndUnicodeAsTheyAre() {
        String plain = "gate safety failed: P(rate>max)=0.987 ≥ 0.95 — naïve 模型 ✓";
        assertThat(Printable.clean(plain)).isSameAs(plain);
        assertThat(Printable.clean("a\tb\nc\rd")).isEqualTo("a b c d");
    }
}
