package dev.fledge.e2e.local;

import dev.fledge.api.status.Phase;
import java.util.ArrayList;
import java.util.List;

/**
 * Places the labels of stage marks so that no two overlap. All labels start in their full form (e.g. "2.0.0 public
 * 25%") on the first of the preferred rows where they fit. Where a label finds no room, the widest label in its way
 * (or itself) is shortened one step ("public 25%", then "p25") and the placement starts again; when nothing in the way
 * can be shortened any more, that label takes an extra row. Labels with room to spare then get their longer forms
 * back. Widths are estimated for DejaVu Sans, the font the report asks for, rounded up.
 */
final class StageLabels {
    /** A stage change at pixel column x; forms run from the full label to the shortest abbreviation. */
    record Mark(double x, List<String> forms) {}

    /** A placed label: its box spans [left, left + width] on its row; text is the form chosen. */
    record Placed(double x, double left, double width, int row, String text, String full) {
        boolean overlaps(Placed o) {
            return row == o.row && left < o.left + o.width + GAP && o.left < left + width + GAP;
        }
    }

    static final double GAP = 4;
    static final double PADDING = 2;

    private StageLabels() {}

    /** A mark wherever the label of the release's state changes. */
    static List<Mark> marks(List<Timeline.Point> points, TimeScale time) {
        List<Mark> marks = new ArrayList<>();
        String last = null;
        for (Timeline.Point p : points) {
            List<String> forms = forms(p);
            if (!forms.get(0).equals(last)) {
                last = forms.get(0);
                marks.add(new Mark(time.x(p.at()), forms));
            }
        }
        return marks;
    }

    /** A stage mark's label, from "2.0.0 public 25%" down to "p25". */
    static List<String> forms(Timeline.Point p) {
        if (Phase.PROGRESSING.wireName().equals(p.phase()) && p.canary() != null && p.stage() != null) {
            boolean pub = "public".equals(p.stage());
            String step = pub ? "public " + p.weight() + "%" : p.stage();
            String tiny = pub
                    ? "p" + p.weight()
                    : switch (p.stage()) {
                        case "closed" -> "cls";
                        case "promoting" -> "prm";
                        default -> p.stage().substring(0, Math.min(3, p.stage().length()));
                    };
            return List.of(p.canary() + " " + step, step, tiny);
        }
        String version = p.canary() != null ? p.canary() : p.stable();
        String tiny = Phase.ROLLED_BACK.wireName().equals(p.phase())
                ? "RB"
                : p.phase().substring(0, Math.min(4, p.phase().length()));
        return version == null ? List.of(p.phase(), tiny) : List.of(p.phase() + " " + version, p.phase(), tiny);
    }

    static List<Placed> layout(List<Mark> marks, double minX, double maxX, double fontSize, int preferredRows) {
        int[] level = new int[marks.size()];
        boolean[] extraRows = new boolean[marks.size()];
        while (true) {
            List<Placed> placed = new ArrayList<>();
            for (int i = 0; i < marks.size(); i++) {
                Mark m = marks.get(i);
                String text = m.forms().get(level[i]);
                Placed p = firstFree(
                        m, text, extraRows[i] ? Integer.MAX_VALUE : preferredRows, placed, minX, maxX, fontSize);
                if (p == null) {
                    int shorten = widestInTheWay(i, marks, level, placed, preferredRows, minX, maxX, fontSize);
                    if (shorten < 0) {
                        extraRows[i] = true;
                    } else {
                        level[shorten]++;
                    }
                    break;
                }
                placed.add(p);
            }
            if (placed.size() == marks.size()) {
                for (int i = 0; i < placed.size(); i++) {
                    placed.set(i, lengthened(placed.get(i), marks.get(i), placed, minX, maxX, fontSize));
                }
                return placed;
            }
        }
    }

    static int rows(List<Placed> placed) {
        return placed.stream().mapToInt(p -> p.row() + 1).max().orElse(0);
    }

    /** Of label i and the placed labels it collides with on the preferred rows: the widest that can be shortened. */
    private static int widestInTheWay(
            int i,
            List<Mark> marks,
            int[] level,
            List<Placed> placed,
            int rows,
            double minX,
            double maxX,
            double size) {
        Mark m = marks.get(i);
        int widest = level[i] + 1 < m.forms().size() ? i : -1;
        double widestWidth = widest < 0 ? -1 : width(m.forms().get(level[i]), size) + 2 * PADDING;
        for (int row = 0; row < rows; row++) {
            Placed wanted = at(m, m.forms().get(level[i]), row, minX, maxX, size);
            for (int j = 0; j < placed.size(); j++) {
                Placed p = placed.get(j);
                if (p.overlaps(wanted) && level[j] + 1 < marks.get(j).forms().size() && p.width() > widestWidth) {
                    widest = j;
                    widestWidth = p.width();
                }
            }
        }
        return widest;
    }

    private static Placed firstFree(
            Mark m, String text, int rows, List<Placed> placed, double minX, double maxX, double fontSize) {
        for (int row = 0; row < rows; row++) {
            Placed p = at(m, text, row, minX, maxX, fontSize);
            if (fits(p, placed)) {
                return p;
            }
        }
        return null;
    }

    /** The longest form of the label that still overlaps no other on its row. */
    private static Placed lengthened(Placed p, Mark m, List<Placed> placed, double minX, double maxX, double fontSize) {
        List<Placed> others = new ArrayList<>(placed);
        others.remove(p);
        for (String form : m.forms()) {
            if (form.equals(p.text())) {
                return p;
            }
            Placed longer = at(m, form, p.row(), minX, maxX, fontSize);
            if (fits(longer, others)) {
                return longer;
            }
        }
        return p;
    }

    /** The label starts at its mark, or ends there when it would run past the right edge. */
    private static Placed at(Mark m, String text, int row, double minX, double maxX, double fontSize) {
        double width = width(text, fontSize) + 2 * PADDING;
        double left = m.x() + width > maxX ? m.x() - width : m.x();
        return new Placed(
                m.x(), Math.max(minX, left), width, row, text, m.forms().get(0));
    }

    private static boolean fits(Placed p, List<Placed> placed) {
        return placed.stream().noneMatch(p::overlaps);
    }

    /** Advance widths of DejaVu Sans in em, per class of character, rounded up (measured with its TTF). */
    static double width(String text, double fontSize) {
        double em = 0;
        for (char c : text.toCharArray()) {
            em += " .,:;ijlIJ'!|".indexOf(c) >= 0
                    ? 0.34
                    : "ftr()/-".indexOf(c) >= 0
                            ? 0.42
                            : "mwMW%=<>+".indexOf(c) >= 0 ? 1.0 : Character.isUpperCase(c) ? 0.8 : 0.64;
        }
        return em * fontSize;
    }
}
