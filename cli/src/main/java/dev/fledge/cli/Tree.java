package dev.fledge.cli;

import java.util.ArrayList;
import java.util.List;

/** A node of the drawn tree: a label (further lines are continuations) and children. */
final class Tree {
    private final List<String> lines;
    private final List<Tree> children = new ArrayList<>();

    Tree(String... lines) {
        this.lines = List.of(lines);
    }

    Tree(List<String> lines) {
        this.lines = List.copyOf(lines);
    }

    Tree add(Tree child) {
        children.add(child);
        return this;
    }

    Tree add(String... lines) {
        return add(new Tree(lines));
    }

    /** This node's children under new label lines. */
    Tree relabel(String... label) {
        Tree t = new Tree(label);
        t.children.addAll(children);
        return t;
    }

    /** The root's lines as they are, its children drawn beneath with box-drawing connectors. */
    String render() {
        StringBuilder out = new StringBuilder();
        String cont = children.isEmpty() ? "" : "│  ";
        for (int i = 0; i < lines.size(); i++) {
            out.append(i == 0 ? lines.get(i) : cont + lines.get(i)).append('\n');
        }
        drawChildren(out, "");
        return out.toString();
    }

    private void drawChildren(StringBuilder out, String prefix) {
        for (int i = 0; i < children.size(); i++) {
            Tree c = children.get(i);
            boolean last = i == children.size() - 1;
            String below = prefix + (last ? "   " : "│  ");
            for (int j = 0; j < c.lines.size(); j++) {
                String lead = j == 0 ? prefix + (last ? "└─ " : "├─ ") : below + (c.children.isEmpty() ? "" : "│  ");
                out.append((lead + c.lines.get(j)).stripTrailing()).append('\n');
            }
            c.drawChildren(out, below);
        }
    }
}
