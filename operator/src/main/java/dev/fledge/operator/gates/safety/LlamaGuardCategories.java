package dev.fledge.operator.gates.safety;

import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Which Fledge category each category code of a Llama Guard answer counts as: the codes of Llama Guard 3's hazard
 * taxonomy (S1 to S14, Meta's model card, https://huggingface.co/meta-llama/Llama-Guard-3-8B, "Hazard Taxonomy and
 * Policy") mapped onto the names of Fledge's guard and of OpenAI's moderation categories where they have one, with a
 * release's own entries ({@code judge.categories}) over them. A code in neither counts under its own name.
 */
public final class LlamaGuardCategories {
    /** The default mapping, in the model card's order (docs/safety-gate.md lists it). */
    public static final Map<String, String> DEFAULTS = defaults();

    static final Pattern CODE = Pattern.compile("S[0-9]{1,3}");
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9/_-]{0,62}");

    private final Map<String, String> mapping;

    private LlamaGuardCategories(Map<String, String> mapping) {
        this.mapping = mapping;
    }

    /** The defaults with {@code own} over them; throws {@link IllegalArgumentException} naming a bad entry. */
    public static LlamaGuardCategories of(Map<String, String> own) {
        Map<String, String> m = new LinkedHashMap<>(DEFAULTS);
        if (own != null) {
            own.forEach((code, name) -> {
                if (code == null || !CODE.matcher(code).matches()) {
                    throw new IllegalArgumentException("judge.categories: key '" + TenantText.cut(code)
                            + "' is not a category code S<number> (e.g. S11)");
                }
                if (name == null || !NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException("judge.categories: " + TenantText.cut(code)
                            + " must map to a category name (lower case letters, digits, -, _, /; at most 63)");
                }
                m.put(code, name);
            });
        }
        return new LlamaGuardCategories(Map.copyOf(m));
    }

    /** Every code this mapping names, with its category, in code order (S1, S2, ..., S10, ...). */
    public SortedMap<String, String> mapping() {
        SortedMap<String, String> m =
                new TreeMap<>(Comparator.comparingInt((String code) -> Integer.parseInt(code.substring(1)))
                        .thenComparing(Comparator.naturalOrder()));
        m.putAll(mapping);
        return m;
    }

    /** The category {@code code} (already a valid code) counts as. */
    String category(String code) {
        return mapping.getOrDefault(code, code);
    }

    /**
     * Whether an answer can count under {@code name}: a name the mapping gives some code, or a code the mapping leaves
     * under its own name.
     */
    boolean reports(String name) {
        return mapping.containsValue(name) || (CODE.matcher(name).matches() && !mapping.containsKey(name));
    }

    private static Map<String, String> defaults() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("S1", "violence"); // Violent Crimes
        m.put("S2", "illicit"); // Non-Violent Crimes
        m.put("S3", "sex-crimes"); // Sex-Related Crimes
        m.put("S4", "csam"); // Child Sexual Exploitation
        m.put("S5", "defamation"); // Defamation
        m.put("S6", "specialized-advice"); // Specialized Advice
        m.put("S7", "privacy"); // Privacy
        m.put("S8", "intellectual-property"); // Intellectual Property
        m.put("S9", "weapons"); // Indiscriminate Weapons
        m.put("S10", "hate"); // Hate
        m.put("S11", "self-harm"); // Suicide & Self-Harm
        m.put("S12", "sexual"); // Sexual Content
        m.put("S13", "elections"); // Elections
        m.put("S14", "code-interpreter-abuse"); // Code Interpreter Abuse
        return Collections.unmodifiableMap(m);
    }
}
