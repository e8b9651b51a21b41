package dev.fledge.e2e.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Set;

/**
 * A copy of a CRD in another API group with every validation constraint removed (CEL rules,
 * enums, patterns, ranges, required). The control group of the rejection table: what the
 * real CRD rejects, this one must accept, so each rejection is the constraint's doing.
 */
public final class UnconstrainedCrd {

    private static final Set<String> CONSTRAINTS = Set.of(
            "x-kubernetes-validations",
            "enum",
            "pattern",
            "required",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "minItems",
            "maxItems",
            "minLength",
            "maxLength");

    private UnconstrainedCrd() {}

    public static CustomResourceDefinition of(
            CustomResourceDefinition crd, String group, KubernetesSerialization serialization) {
        ObjectNode tree = serialization.convertValue(crd, ObjectNode.class);
        ObjectNode spec = (ObjectNode) tree.get("spec");
        spec.put("group", group);
        tree.remove("status");
        tree.putObject("metadata").put("name", spec.at("/names/plural").asText() + "." + group);
        for (JsonNode version : spec.get("versions")) {
            strip(version.at("/schema/openAPIV3Schema"));
        }
        return serialization.convertValue(tree, CustomResourceDefinition.class);
    }

    private static void strip(JsonNode node) {
        if (node instanceof ObjectNode object) {
            object.remove(CONSTRAINTS);
        }
        node.forEach(UnconstrainedCrd::strip);
    }
}
