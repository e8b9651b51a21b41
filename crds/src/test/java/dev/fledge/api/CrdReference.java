package dev.fledge.api;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Renders docs/crd-reference.md from the generated CRD: every field, its type, description and validation. */
final class CrdReference {
    private final CustomResourceDefinition crd;
    private final StringBuilder out = new StringBuilder();

    CrdReference(CustomResourceDefinition crd) {
        this.crd = crd;
    }

    String markdown() {
        CustomResourceDefinitionVersion version = crd.getSpec().getVersions().get(0);
        var names = crd.getSpec().getNames();
        out.append("# ModelRelease API reference\n\n")
                .append(
                        "<!-- Generated from the CRD by `make generate`; a test fails when it is stale. Do not edit. -->\n\n")
                .append("| | |\n|---|---|\n")
                .append("| API version | `")
                .append(crd.getSpec().getGroup())
                .append('/')
                .append(version.getName())
                .append("` |\n")
                .append("| Kind | `")
                .append(names.getKind())
                .append("` |\n")
                .append("| Plural / short name | `")
                .append(names.getPlural())
                .append("` / `")
                .append(String.join("`, `", names.getShortNames()))
                .append("` |\n")
                .append("| Scope | ")
                .append(crd.getSpec().getScope())
                .append(" |\n")
                .append("| Subresources | ")
                .append(version.getSubresources().getStatus() != null ? "status" : "none")
                .append(" |\n\n");
        out.append(
                        "## Printer columns\n\n`kubectl get mrel` shows the columns of priority 0; `-o wide` adds the others.\n\n")
                .append("| Column | JSON path | Type | Priority |\n|---|---|---|---|\n");
        for (CustomResourceColumnDefinition c : version.getAdditionalPrinterColumns()) {
            out.append("| ")
                    .append(c.getName())
                    .append(" | `")
                    .append(c.getJsonPath())
                    .append("` | ")
                    .append(c.getType())
                    .append(" | ")
                    .append(c.getPriority())
                    .append(" |\n");
        }
        out.append('\n');
        JSONSchemaProps root = version.getSchema().getOpenAPIV3Schema();
        object("spec", root.getProperties().get("spec"));
        object("status", root.getProperties().get("status"));
        return out.toString();
    }

    private void object(String path, JSONSchemaProps schema) {
        out.append("## `").append(path).append("`\n\n");
        if (schema.getDescription() != null) {
            out.append(escape(schema.getDescription())).append("\n\n");
        }
        rules(schema.getXKubernetesValidations());
        out.append("| Field | Type | Required | Description | Validation |\n|---|---|---|---|---|\n");
        List<String> required = schema.getRequired() == null ? List.of() : schema.getRequired();
        List<Map.Entry<String, JSONSchemaProps>> nested = new ArrayList<>();
        for (Map.Entry<String, JSONSchemaProps> field : schema.getProperties().entrySet()) {
            JSONSchemaProps p = field.getValue();
            out.append("| `")
                    .append(field.getKey())
                    .append("` | ")
                    .append(type(p))
                    .append(" | ")
                    .append(required.contains(field.getKey()) ? "yes" : "")
                    .append(" | ")
                    .append(escape(Objects.requireNonNullElse(p.getDescription(), "")))
                    .append(" | ")
                    .append(escape(String.join("; ", constraints(p))))
                    .append(" |\n");
            JSONSchemaProps element = "array".equals(p.getType()) ? p.getItems().getSchema() : p;
            if (element != null
                    && element.getProperties() != null
                    && !element.getProperties().isEmpty()) {
                nested.add(Map.entry(path + "." + field.getKey() + ("array".equals(p.getType()) ? "[]" : ""), element));
            }
        }
        out.append('\n');
        nested.forEach(n -> object(n.getKey(), n.getValue()));
    }

    private void rules(List<ValidationRule> rules) {
        if (rules == null || rules.isEmpty()) {
            return;
        }
        out.append("Rules (CEL, checked by the API server):\n\n");
        for (ValidationRule r : rules) {
            out.append("- ")
                    .append(r.getMessage())
                    .append(": `")
                    .append(r.getRule())
                    .append("`\n");
        }
        out.append('\n');
    }

    private static String type(JSONSchemaProps p) {
        if ("array".equals(p.getType())) {
            return "[]" + type(p.getItems().getSchema());
        }
        if (p.getEnum() != null && !p.getEnum().isEmpty()) {
            return "enum";
        }
        return p.getType() == null ? "any" : p.getType();
    }

    private static List<String> constraints(JSONSchemaProps p) {
        List<String> c = new ArrayList<>();
        if (p.getEnum() != null && !p.getEnum().isEmpty()) {
            c.add("one of "
                    + String.join(
                            ", ", p.getEnum().stream().map(e -> e.asText()).toList()));
        }
        if (p.getMinimum() != null) {
            c.add((Boolean.TRUE.equals(p.getExclusiveMinimum()) ? "> " : ">= ") + number(p.getMinimum()));
        }
        if (p.getMaximum() != null) {
            c.add((Boolean.TRUE.equals(p.getExclusiveMaximum()) ? "< " : "<= ") + number(p.getMaximum()));
        }
        if (p.getPattern() != null) {
            c.add("pattern `" + p.getPattern() + "`");
        }
        if (p.getMinLength() != null || p.getMaxLength() != null) {
            c.add("length " + range(p.getMinLength(), p.getMaxLength()));
        }
        if (p.getMinItems() != null || p.getMaxItems() != null) {
            c.add("items " + range(p.getMinItems(), p.getMaxItems()));
        }
        if (Boolean.TRUE.equals(p.getXKubernetesPreserveUnknownFields())) {
            c.add("any fields kept");
        }
        if (p.getXKubernetesValidations() != null) {
            p.getXKubernetesValidations().forEach(r -> c.add(r.getMessage() + " (`" + r.getRule() + "`)"));
        }
        if ("array".equals(p.getType())
                && p.getItems().getSchema().getXKubernetesValidations() != null
                && p.getItems().getSchema().getProperties() == null) {
            p.getItems().getSchema().getXKubernetesValidations().forEach(r -> c.add(r.getMessage()));
        }
        return c;
    }

    private static String range(Long min, Long max) {
        return (min == null ? "0" : min) + ".." + (max == null ? "" : max);
    }

    private static String number(Double d) {
        return d == Math.rint(d) ? String.valueOf(d.longValue()) : String.valueOf(d);
    }

    private static String escape(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}
