package dev.fledge.operator.validation;

import static dev.fledge.operator.validation.PodTemplateAllowList.ANY;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fledge.operator.workload.StoredTemplate;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The fields a pod template kept in a stable Deployment's annotation ({@code fledge.dev/kept-template}) may hold: the
 * spec's allow-list ({@link PodTemplateAllowList#TEMPLATE}) and what an operator adds around it (image, security
 * contexts, ports, HTTP probes, the preStop sleep, grace period, token and service-link switches) or the API server
 * fills in when it stores a Deployment (restart and DNS policy, scheduler, termination message, pull policy). Anything
 * else (another volume type, host ports, exec probes or hooks, sysctls, host aliases, a runtime class...) is one no
 * operator built (review of issue 15, MED 1). Values are {@code KeptTemplateCheck}'s. Pure.
 */
public final class KeptTemplateFields {
    private static final Map<String, Object> PROBE = Map.of(
            "httpGet", Map.of("path", ANY, "port", ANY, "scheme", ANY),
            "periodSeconds", ANY,
            "failureThreshold", ANY,
            "timeoutSeconds", ANY,
            "successThreshold", ANY,
            "initialDelaySeconds", ANY);
    private static final Map<String, Object> SECCOMP = Map.of("type", ANY);

    /** What an operator or the API server adds to a template from the spec's allow-list. */
    private static final Map<String, Object> OPERATOR = Map.of(
            "spec",
            Map.ofEntries(
                    Map.entry(
                            "containers",
                            Map.ofEntries(
                                    Map.entry("image", ANY),
                                    Map.entry(
                                            "securityContext",
                                            Map.of(
                                                    "runAsNonRoot", ANY,
                                                    "allowPrivilegeEscalation", ANY,
                                                    "privileged", ANY,
                                                    "readOnlyRootFilesystem", ANY,
                                                    "capabilities", Map.of("drop", ANY, "add", ANY),
                                                    "seccompProfile", SECCOMP)),
                                    Map.entry("ports", Map.of("name", ANY, "containerPort", ANY, "protocol", ANY)),
                                    Map.entry("readinessProbe", PROBE),
                                    Map.entry("startupProbe", PROBE),
                                    Map.entry("livenessProbe", PROBE),
                                    Map.entry("lifecycle", Map.of("preStop", Map.of("sleep", Map.of("seconds", ANY)))),
                                    Map.entry("terminationMessagePath", ANY),
                                    Map.entry("terminationMessagePolicy", ANY),
                                    Map.entry("imagePullPolicy", ANY))),
                    Map.entry("terminationGracePeriodSeconds", ANY),
                    Map.entry("automountServiceAccountToken", ANY),
                    Map.entry("enableServiceLinks", ANY),
                    Map.entry("serviceAccountName", ANY),
                    Map.entry("serviceAccount", ANY),
                    Map.entry(
                            "securityContext",
                            Map.of(
                                    "runAsNonRoot", ANY,
                                    "runAsUser", ANY,
                                    "runAsGroup", ANY,
                                    "fsGroup", ANY,
                                    "seccompProfile", SECCOMP)),
                    Map.entry("restartPolicy", ANY),
                    Map.entry("dnsPolicy", ANY),
                    Map.entry("schedulerName", ANY)));

    static final Map<String, Object> KEPT = merged(PodTemplateAllowList.TEMPLATE, OPERATOR);

    private KeptTemplateFields() {}

    /**
     * Each field of {@code kept} outside the list, with its path (empty values, an empty list say, are no field), and
     * each volume the spec's schema would refuse ({@link SchemaRules#volumes}).
     */
    public static List<String> outside(PodTemplateSpec kept) {
        List<String> errors = new ArrayList<>();
        if (kept != null) {
            JsonNode tree = StoredTemplate.pruned(Serialization.jsonMapper().valueToTree(kept));
            PodTemplatePolicy.walk(tree, KEPT, "template", errors::add);
            SchemaRules.volumes(tree.path("spec").path("volumes"), "template.spec.volumes", errors::add);
        }
        return errors;
    }

    /** {@code a} with {@code b}'s keys added, nested lists merged; {@link PodTemplateAllowList#ANY} wins. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> merged(Map<String, Object> a, Map<String, Object> b) {
        if (a.isEmpty() || b.isEmpty()) {
            return ANY;
        }
        Map<String, Object> out = new HashMap<>(a);
        b.forEach((k, v) -> out.merge(k, v, (x, y) -> merged((Map<String, Object>) x, (Map<String, Object>) y)));
        return Map.copyOf(out);
    }
}
