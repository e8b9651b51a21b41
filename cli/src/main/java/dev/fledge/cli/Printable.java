package dev.fledge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Text read from the cluster made safe to print on a terminal. A tenant writes the release (and, through the model
 * and the judge, what ends up in gate reasons and Events), so a string may carry ANSI escape sequences that move the
 * cursor, clear the screen, set the window title or draw a hyperlink, a carriage return that overwrites a line, or a
 * bidirectional override that reorders it. Every string of what the CLI reads is cleaned once, where it is read:
 * tab, line feed and carriage return become a space, every other control character (C0, DEL, C1 such as the
 * one-byte CSI {@code U+009B}) and every bidirectional control becomes {@code ?}. The CLI's own colours are added
 * later, by {@link Style}, and are not touched.
 */
final class Printable {
    private Printable() {}

    static String clean(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            char replacement = replacement(c);
            if (replacement != c && out == null) {
                out = new StringBuilder(s.length()).append(s, 0, i);
            }
            if (out != null) {
                out.append(replacement);
            }
        }
        return out == null ? s : out.toString();
    }

    private static char replacement(char c) {
        if (c == '\t' || c == '\n' || c == '\r') {
            return ' ';
        }
        boolean bidi = c == '\u061c'
                || c == '\u200e'
                || c == '\u200f'
                || (c >= '\u202a' && c <= '\u202e')
                || (c >= '\u2066' && c <= '\u2069');
        return Character.isISOControl(c) || bidi ? '?' : c;
    }

    /** A copy of a Kubernetes object with every string (keys included) cleaned. */
    static <T> T cleaned(KubernetesSerialization serialization, T object, Class<T> type) {
        if (object == null) {
            return null;
        }
        JsonNode tree = serialization.convertValue(object, JsonNode.class);
        return serialization.convertValue(clean(tree), type);
    }

    static <T> List<T> cleaned(KubernetesSerialization serialization, List<T> objects, Class<T> type) {
        List<T> out = new ArrayList<>(objects.size());
        for (T o : objects) {
            out.add(cleaned(serialization, o, type));
        }
        return out;
    }

    private static JsonNode clean(JsonNode node) {
        if (node instanceof TextNode t) {
            return TextNode.valueOf(clean(t.textValue()));
        }
        if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                a.set(i, clean(a.get(i)));
            }
            return a;
        }
        if (node instanceof ObjectNode o) {
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
            o.fields().forEachRemaining(fields::add);
            o.removeAll();
            for (Map.Entry<String, JsonNode> f : fields) {
                o.set(clean(f.getKey()), clean(f.getValue()));
            }
            return o;
        }
        return node;
    }
}
