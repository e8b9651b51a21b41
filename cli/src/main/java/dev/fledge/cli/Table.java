package dev.fledge.cli;

import java.util.ArrayList;
import java.util.List;

/** Left-aligned columns separated by three spaces, like kubectl's tables; cells may hold colour codes. */
final class Table {
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... header) {
        rows.add(List.of(header));
    }

    Table row(String... cells) {
        rows.add(List.of(cells));
        return this;
    }

    boolean hasRows() {
        return rows.size() > 1;
    }

    String render() {
        int columns = rows.get(0).size();
        int[] widths = new int[columns];
        for (List<String> r : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], Style.width(r.get(i)));
            }
        }
        StringBuilder out = new StringBuilder();
        for (List<String> r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(r.get(i));
                if (i < columns - 1) {
                    line.append(" ".repeat(widths[i] - Style.width(r.get(i)) + 3));
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }
}
