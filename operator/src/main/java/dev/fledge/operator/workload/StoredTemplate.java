package dev.fledge.operator.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A pod template as the API server stores it, whichever way it was written: what it fills in when it stores a
 * Deployment (a ConfigMap volume's mode, a container's termination message, the pod's DNS policy...) and what it leaves
 * out (Go drops {@code false} and empty strings), so that a template an operator built and the same template read back
 * compare equal ({@link KeptUpstreamCheck}), and a field written empty counts as absent ({@code KeptTemplateFields}).
 * Pure.
 */
public final class StoredTemplate {
    /** Kubernetes' mode for a ConfigMap, Secret or downward API volume that sets none (0644). */
    private static final int DEFAULT_MODE = 0644;
    /** Objects whose values are quantities, and fields that are one. */
    private static final Set<String> QUANTITY_MAPS = Set.of("limits", "requests");

    private static final Set<String> QUANTITIES = Set.of("sizeLimit", "divisor");
    /** Maps of strings, compared as written. */
    private static final Set<String> STRING_MAPS = Set.of("nodeSelector", "matchLabels", "labels", "annotations");

    private StoredTemplate() {}

    /**
     * {@code c} as the operator writes it: what the API server fills in when it stores a container dropped (termination
     * message, pull policy, port protocols), in {@link #canonical} spelling.
     */
    static JsonNode container(Container c) {
        Container copy = Serialization.clone(c);
        if ("/dev/termination-log".equals(copy.getTerminationMessagePath())) {
            copy.setTerminationMessagePath(null);
        }
        if ("File".equals(copy.getTerminationMessagePolicy())) {
            copy.setTerminationMessagePolicy(null);
        }
        copy.setImagePullPolicy(null); // only absent or the API server's defaults: KeptTemplateCheck
        if (copy.getPorts() != null) {
            copy.getPorts().stream().filter(p -> p.getProtocol() == null).forEach(p -> p.setProtocol("TCP"));
        }
        return canonical(Serialization.jsonMapper().valueToTree(copy));
    }

    /** Each volume by name, with the modes and types the API server fills in when the operator leaves them out. */
    static Map<String, JsonNode> volumes(List<Volume> volumes) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (Volume v : Objects.requireNonNullElse(volumes, List.<Volume>of())) {
            Volume copy = Serialization.clone(v);
            if (copy.getSecret() != null && copy.getSecret().getDefaultMode() == null) {
                copy.getSecret().setDefaultMode(DEFAULT_MODE);
            }
            if (copy.getConfigMap() != null && copy.getConfigMap().getDefaultMode() == null) {
                copy.getConfigMap().setDefaultMode(DEFAULT_MODE);
            }
            if (copy.getDownwardAPI() != null && copy.getDownwardAPI().getDefaultMode() == null) {
                copy.getDownwardAPI().setDefaultMode(DEFAULT_MODE);
            }
            if (copy.getHostPath() != null && copy.getHostPath().getType() == null) {
                copy.getHostPath().setType("");
            }
            out.put(v.getName(), canonical(Serialization.jsonMapper().valueToTree(copy)));
        }
        return out;
    }

    /**
     * The pod's fields but its containers, volumes and security context (held to the pod rules, which an install's
     * {@code runAsUser} changes), without the API server's defaults: node selector, tolerations, affinity, grace,
     * token and service links.
     */
    static JsonNode podFields(PodSpec spec) {
        PodSpec copy = Serialization.clone(spec);
        copy.setContainers(null);
        copy.setVolumes(null);
        copy.setSecurityContext(null);
        if ("Always".equals(copy.getRestartPolicy())) {
            copy.setRestartPolicy(null);
        }
        if ("ClusterFirst".equals(copy.getDnsPolicy())) {
            copy.setDnsPolicy(null);
        }
        if ("default-scheduler".equals(copy.getSchedulerName())) {
            copy.setSchedulerName(null);
        }
        return canonical(Serialization.jsonMapper().valueToTree(copy));
    }

    /** {@code node} with nulls and empty objects or lists removed: a field left out and one written empty are alike. */
    public static JsonNode pruned(JsonNode node) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                JsonNode value = pruned(field.getValue());
                if (value.isNull() || (value.isContainerNode() && value.isEmpty())) {
                    it.remove();
                } else {
                    ((ObjectNode) node).set(field.getKey(), value);
                }
            }
        } else if (node.isArray()) {
            node.forEach(StoredTemplate::pruned);
        }
        return node;
    }

    /**
     * {@code node} as the API server stores it, whichever way it was written: no {@code false} or empty string (Go
     * leaves them out: {@code readOnly: false}, {@code subPath: ""}), a field reference with its API version {@code
     * v1} and a resource field reference with its divisor, a claim template's volume mode {@code Filesystem},
     * quantities as plain numbers ({@code 1536Mi} and {@code 1.5Gi} alike); then {@link #pruned}.
     */
    private static JsonNode canonical(JsonNode node) {
        if (node.isObject()) {
            ObjectNode o = (ObjectNode) node;
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode v = o.get(name);
                if (STRING_MAPS.contains(name)) {
                    continue; // keys and values as written: an empty value is a value (a node label, say)
                }
                if ((v.isBoolean() && !v.booleanValue())
                        || (v.isTextual() && v.textValue().isEmpty())) {
                    o.remove(name);
                } else if (QUANTITY_MAPS.contains(name) && v.isObject()) {
                    List<String> keys = new ArrayList<>();
                    v.fieldNames().forEachRemaining(keys::add);
                    keys.forEach(k -> ((ObjectNode) v).put(k, amount(v.get(k).asText())));
                } else if (QUANTITIES.contains(name) && v.isValueNode()) {
                    o.put(name, amount(v.asText()));
                } else {
                    canonical(v);
                }
            }
            if (o.has("fieldPath") && !o.has("apiVersion")) {
                o.put("apiVersion", "v1"); // a fieldRef
            }
            if (o.has("resource") && !o.has("fieldPath") && !o.has("divisor")) {
                o.put("divisor", "0"); // a resourceFieldRef
            }
            if (o.has("accessModes") && !o.has("volumeMode")) {
                o.put("volumeMode", "Filesystem"); // a claim template's spec
            }
        } else if (node.isArray()) {
            node.forEach(StoredTemplate::canonical);
        }
        return pruned(node);
    }

    /** {@code q} as a plain number ({@code 1000m} and {@code 1} alike); as it is when it cannot be read. */
    private static String amount(String q) {
        try {
            BigDecimal n = new Quantity(q).getNumericalAmount();
            return n.signum() == 0 ? "0" : n.stripTrailingZeros().toPlainString();
        } catch (ArithmeticException | IllegalArgumentException e) {
            return q;
        }
    }
}
