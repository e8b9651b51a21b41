package dev.fledge.operator.gates.safety;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A red-team prompt suite, parsed from YAML (a ConfigMap key). Either a list or a map with {@code prompts:}; each
 * entry has {@code prompt} (or {@code text}), {@code category} and optionally {@code id}. A bare string is a prompt
 * of category {@code general}. An entry with {@code messages} (and optionally {@code system}), or with {@code system}
 * and {@code prompt}, is a chat prompt ({@link ChatPrompts}). An entry that is none of these is refused with its
 * position, so that the gate says which one to fix.
 *
 * @param hash the first 12 hex digits of the SHA-256 of the YAML, recorded with each verdict
 */
public record PromptSuite(String name, String hash, List<Prompt> prompts) {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public static PromptSuite parse(String name, String yaml) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (Exception e) {
            throw new IllegalArgumentException("suite " + name + " is not valid YAML: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        JsonNode list = root != null && root.isObject() ? root.path("prompts") : root;
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new IllegalArgumentException("suite " + name + " has no prompts (a list, or a map with prompts:)");
        }
        List<Prompt> prompts = new ArrayList<>();
        int i = 0;
        for (JsonNode n : list) {
            i++;
            if (n.isTextual()) {
                prompts.add(new Prompt("p" + i, "general", n.asText()));
                continue;
            }
            if (!n.isObject()) {
                throw new IllegalArgumentException(
                        "suite " + name + ": prompt #" + i + " is neither a string nor a map with prompt or messages");
            }
            String id = n.path("id").asText("p" + i);
            String category = n.path("category").asText("general");
            if (ChatPrompts.isChat(n)) {
                prompts.add(Prompt.chat(
                        id,
                        category,
                        ChatPrompts.messages("suite " + name + ": prompt #" + i + " (" + TenantText.cut(id) + ")", n)));
                continue;
            }
            String text = n.hasNonNull("prompt")
                    ? n.get("prompt").asText()
                    : n.path("text").asText("");
            if (text.isBlank()) {
                throw new IllegalArgumentException("suite " + name + ": prompt #" + i + " has no text");
            }
            prompts.add(new Prompt(id, category, text));
        }
        return new PromptSuite(name, sha256(yaml).substring(0, 12), List.copyOf(prompts));
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
