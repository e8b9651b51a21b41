package dev.fledge.e2e.apiserver;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Consumer;

/** Small edits of a JSON tree addressed by JSON Pointer, e.g. {@code /spec/stages/0/name}. */
public final class JsonEdit {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonEdit() {}

    /** Sets the value at the pointer (an object member, or an existing array element). */
    public static Consumer<ObjectNode> set(String pointer, Object value) {
        return root -> {
            JsonPointer ptr = JsonPointer.compile(pointer);
            JsonNode parent = existing(root, ptr.head(), pointer);
            JsonNode node = MAPPER.valueToTree(value);
            String last = ptr.last().getMatchingProperty();
            if (parent instanceof ArrayNode array) {
                array.set(Integer.parseInt(last), node);
            } else {
                ((ObjectNode) parent).set(last, node);
            }
        };
    }

    /** Removes the member or array element at the pointer, which must exist. */
    public static Consumer<ObjectNode> remove(String pointer) {
        return root -> {
            JsonPointer ptr = JsonPointer.compile(pointer);
            existing(root, ptr, pointer);
            JsonNode parent = root.at(ptr.head());
            String last = ptr.last().getMatchingProperty();
            if (parent instanceof ArrayNode array) {
                array.remove(Integer.parseInt(last));
            } else {
                ((ObjectNode) parent).remove(last);
            }
        };
    }

    private static JsonNode existing(JsonNode root, JsonPointer ptr, String original) {
        JsonNode node = root.at(ptr);
        if (node.isMissingNode()) {
            throw new IllegalArgumentException("no such node: " + original);
        }
        return node;
    }
}
