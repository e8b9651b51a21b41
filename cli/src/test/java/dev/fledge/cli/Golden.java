package dev.fledge.cli;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Compares output with a golden file under src/test/resources/cli-golden/. With {@code -Dfledge.generate=true}
 * ({@code make cli-golden}) it rewrites the file instead; review the diff before committing it.
 */
final class Golden {
    static final Path DIR = Path.of("src/test/resources/cli-golden");

    private Golden() {}

    static void check(String name, String actual) throws IOException {
        Path file = DIR.resolve(name + ".txt");
        if (Boolean.getBoolean("fledge.generate")) {
            Files.writeString(file, actual);
            return;
        }
        if (!Files.exists(file)) {
            fail("%s is missing: run the test with -Dfledge.generate=true to record it. Output was:%n%s", file, actual);
        }
        String expected = Files.readString(file);
        if (!expected.equals(actual)) {
            fail(
                    "%s differs from the output (- golden, + actual); if the change is intended, rerun with "
                            + "-Dfledge.generate=true and review the diff:%n%s",
                    file, diff(expected, actual));
        }
    }

    /** A line diff: the first differing region with two lines of context either side. */
    static String diff(String expected, String actual) {
        List<String> a = expected.lines().toList();
        List<String> b = actual.lines().toList();
        int head = 0;
        while (head < a.size() && head < b.size() && a.get(head).equals(b.get(head))) {
            head++;
        }
        int tail = 0;
        while (tail < a.size() - head
                && tail < b.size() - head
                && a.get(a.size() - 1 - tail).equals(b.get(b.size() - 1 - tail))) {
            tail++;
        }
        StringBuilder out = new StringBuilder("@@ line ").append(head + 1).append(" @@\n");
        for (int i = Math.max(0, head - 2); i < head; i++) {
            out.append("  ").append(a.get(i)).append('\n');
        }
        for (int i = head; i < a.size() - tail; i++) {
            out.append("- ").append(a.get(i)).append('\n');
        }
        for (int i = head; i < b.size() - tail; i++) {
            out.append("+ ").append(b.get(i)).append('\n');
        }
        for (int i = a.size() - tail; i < Math.min(a.size(), a.size() - tail + 2); i++) {
            out.append("  ").append(a.get(i)).append('\n');
        }
        if (a.size() == b.size() && head == a.size() && !expected.equals(actual)) {
            out.append("(the texts differ only in line endings or a final newline)\n");
        }
        return out.toString();
    }
}
