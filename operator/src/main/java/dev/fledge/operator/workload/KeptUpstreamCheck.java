package dev.fledge.operator.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fledge.operator.validation.KeptTemplateFields;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A kept pod template of a release with {@code spec.server.upstream} ({@link KeptTemplateCheck}, which holds both
 * containers to the pod-wide and privilege rules). The other server runs the tenant's image, command and args, so
 * nothing of it is taken on trust: its container {@code model-server} (security context included), the pod's volumes,
 * scheduling, grace, labels and annotations must be what this operator builds for the recorded configuration ({@link
 * DesiredDeployment#upstreamPod}), but for what the API server fills in or spells otherwise when it stores a Deployment
 * ({@link #canonical}) and the pod's security context (an install's {@code runAsUser}; held to the pod rules). So
 * another volume, mount, variable, port, probe, resource or node is refused, and a template an older revision built
 * otherwise is rebuilt (its pods restart) rather than kept: that is why a change of it comes with a new template
 * revision ({@code OperatorTemplateRevisionTest}). The sidecar {@code fledge-proxy} carries only the operator's
 * settings: the operator's variables, its two ports with readiness on the public one, its own {@code /tmp} and the
 * key, cpu and memory, a read-only root filesystem. Pure.
 */
final class KeptUpstreamCheck {
    /** What every revision that builds the sidecar sets on it (besides {@link KeptTemplateCheck}'s required ones). */
    private static final List<String> SIDECAR_ENV = List.of(
            "FLEDGE_UPSTREAM_URL",
            "FLEDGE_UPSTREAM_READINESS_PATH",
            "FLEDGE_PUBLIC_PORT",
            "FLEDGE_FEEDBACK_SIGNING_KEY_FILE");

    private static final Set<String> SIDECAR_RESOURCES = Set.of("cpu", "memory");
    /** Kubernetes' mode for a ConfigMap, Secret or downward API volume that sets none (0644). */
    private static final int DEFAULT_MODE = 0644;
    /** Objects whose values are quantities, and fields that are one. */
    private static final Set<String> QUANTITY_MAPS = Set.of("limits", "requests");

    private static final Set<String> QUANTITIES = Set.of("sizeLimit", "divisor");
    /** Maps of strings, compared as written. */
    private static final Set<String> STRING_MAPS = Set.of("nodeSelector", "matchLabels", "labels", "annotations");

    private static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

    private KeptUpstreamCheck() {}

    /** Why the sidecar {@code c} holds more than the operator's settings; empty when it does not. */
    static Optional<String> sidecarRefusal(Container c, Map<String, String> operatorEnv) {
        for (EnvVar e : Objects.requireNonNullElse(c.getEnv(), List.<EnvVar>of())) {
            if (!operatorEnv.containsKey(e.getName())) {
                return Optional.of("its env " + e.getName() + " is not one the operator sets on the sidecar");
            }
        }
        for (String name : SIDECAR_ENV) {
            if (Objects.requireNonNullElse(c.getEnv(), List.<EnvVar>of()).stream()
                    .noneMatch(e -> name.equals(e.getName()))) {
                return Optional.of("its env " + name + " is missing (every sidecar has it)");
            }
        }
        boolean publicPort = Objects.requireNonNullElse(c.getPorts(), List.<ContainerPort>of()).stream()
                .anyMatch(p -> ServerDefaults.PUBLIC_PORT.equals(p.getName()));
        HTTPGetAction ready =
                c.getReadinessProbe() == null ? null : c.getReadinessProbe().getHttpGet();
        String publicNumber = operatorEnv.get("FLEDGE_PUBLIC_PORT");
        boolean readyOnPublic = ready != null
                && ready.getPort() != null
                && (ServerDefaults.PUBLIC_PORT.equals(ready.getPort().getStrVal())
                        || (ready.getPort().getIntVal() != null
                                && String.valueOf(ready.getPort().getIntVal()).equals(publicNumber)));
        if (!publicPort || !readyOnPublic) {
            return Optional.of(
                    "it does not declare the port " + ServerDefaults.PUBLIC_PORT + " or its readiness does not ask it");
        }
        Set<String> mounts = Objects.requireNonNullElse(c.getVolumeMounts(), List.<VolumeMount>of()).stream()
                .map(m -> m.getName() + ":" + m.getMountPath())
                .collect(Collectors.toSet());
        Set<String> own = Set.of(
                DesiredDeployment.PROXY_SCRATCH_VOLUME + ":" + MountPaths.SCRATCH,
                DesiredDeployment.FEEDBACK_KEY_VOLUME + ":" + DesiredDeployment.FEEDBACK_KEY_DIR);
        if (!mounts.equals(own) || c.getVolumeMounts().size() != own.size()) {
            return Optional.of("its mounts " + mounts + " are not its own /tmp and the key " + own);
        }
        if (c.getSecurityContext() == null
                || !Boolean.TRUE.equals(c.getSecurityContext().getReadOnlyRootFilesystem())) {
            return Optional.of("its root filesystem is not read-only");
        }
        ResourceRequirements r = c.getResources();
        if (r != null
                && (!SIDECAR_RESOURCES.containsAll(Objects.requireNonNullElse(r.getLimits(), Map.of())
                                .keySet())
                        || !SIDECAR_RESOURCES.containsAll(Objects.requireNonNullElse(r.getRequests(), Map.of())
                                .keySet())
                        || (r.getClaims() != null && !r.getClaims().isEmpty()))) {
            return Optional.of("its resources ask for more than cpu and memory");
        }
        return Optional.empty();
    }

    /**
     * Why {@code kept} is not {@code built} (this operator's template for the recorded configuration) where the other
     * server's container, the pod's volumes, its scheduling and grace, and its labels and annotations are concerned;
     * empty when it is.
     */
    static Optional<String> refusal(PodTemplateSpec kept, PodTemplateSpec built) {
        JsonNode got = normalized(container(kept, ServerDefaults.CONTAINER));
        JsonNode want = normalized(container(built, ServerDefaults.CONTAINER));
        if (!got.equals(want)) {
            return Optional.of("its container " + ServerDefaults.CONTAINER + " is not the one this operator builds"
                    + " for the recorded configuration (" + firstDifference(got, want) + ")");
        }
        List<Volume> volumes = Objects.requireNonNullElse(kept.getSpec().getVolumes(), List.of());
        Map<String, JsonNode> have = byName(volumes);
        Map<String, JsonNode> should = byName(built.getSpec().getVolumes());
        if (!have.keySet().equals(should.keySet()) || have.size() != volumes.size()) {
            return Optional.of(
                    "its volumes " + have.keySet() + " are not the ones this operator builds " + should.keySet());
        }
        for (Map.Entry<String, JsonNode> v : have.entrySet()) {
            if (!v.getValue().equals(should.get(v.getKey()))) {
                return Optional.of("its volume " + v.getKey() + " is not the one this operator builds");
            }
        }
        JsonNode pod = scheduling(kept.getSpec());
        JsonNode builtPod = scheduling(built.getSpec());
        if (!pod.equals(builtPod)) {
            return Optional.of("its pod is not the one this operator builds (" + firstDifference(pod, builtPod) + ")");
        }
        ObjectMeta meta = Objects.requireNonNullElse(kept.getMetadata(), new ObjectMeta());
        ObjectMeta builtMeta = Objects.requireNonNullElse(built.getMetadata(), new ObjectMeta());
        if (!Objects.requireNonNullElse(meta.getLabels(), Map.of())
                .equals(Objects.requireNonNullElse(builtMeta.getLabels(), Map.of()))) {
            return Optional.of("its pod labels are not the ones this operator builds");
        }
        Map<String, String> annotations =
                new LinkedHashMap<>(Objects.requireNonNullElse(meta.getAnnotations(), Map.of()));
        annotations.remove(RESTARTED_AT);
        if (!annotations.equals(Objects.requireNonNullElse(builtMeta.getAnnotations(), Map.of()))) {
            return Optional.of("its pod annotations are not the ones this operator builds");
        }
        return Optional.empty();
    }

    /**
     * The pod's fields but its containers, volumes and security context (held to the pod rules, which an install's
     * {@code runAsUser} changes), without the API server's defaults: node selector, tolerations, affinity, grace,
     * token and service links.
     */
    private static JsonNode scheduling(PodSpec spec) {
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

    private static Container container(PodTemplateSpec t, String name) {
        return t.getSpec().getContainers().stream()
                .filter(c -> name.equals(c.getName()))
                .findFirst()
                .orElseThrow();
    }

    /**
     * {@code c} in the form this operator writes it: what the API server fills in when it stores a container dropped
     * (termination message, pull policy, protocols), and {@link #canonical} spelling.
     */
    private static JsonNode normalized(Container c) {
        Container copy = Serialization.clone(c);
        if ("/dev/termination-log".equals(copy.getTerminationMessagePath())) {
            copy.setTerminationMessagePath(null);
        }
        if ("File".equals(copy.getTerminationMessagePolicy())) {
            copy.setTerminationMessagePolicy(null);
        }
        copy.setImagePullPolicy(null); // only absent or the API server's default: KeptTemplateCheck
        if (copy.getPorts() != null) {
            copy.getPorts().stream().filter(p -> p.getProtocol() == null).forEach(p -> p.setProtocol("TCP"));
        }
        return canonical(Serialization.jsonMapper().valueToTree(copy));
    }

    /** Each volume by name, with the modes and types the API server fills in when the operator leaves them out. */
    private static Map<String, JsonNode> byName(List<Volume> volumes) {
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
     * {@code node} as the API server stores it, whichever way it was written: no {@code false} or empty string (Go
     * leaves them out: {@code readOnly: false}, {@code subPath: ""}), a field reference with its API version {@code
     * v1} and a resource field reference with its divisor, a claim template's volume mode {@code Filesystem},
     * quantities as plain numbers ({@code 1536Mi} and {@code 1.5Gi} alike); then no empty values.
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
            node.forEach(KeptUpstreamCheck::canonical);
        }
        return KeptTemplateFields.pruned(node);
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

    /** The first top-level field whose value differs, for the message. */
    private static String firstDifference(JsonNode got, JsonNode want) {
        for (Iterator<String> it = want.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!want.get(f).equals(got.get(f))) {
                return f + ": not as built";
            }
        }
        for (Iterator<String> it = got.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!want.has(f)) {
                return f + ": not one the operator sets";
            }
        }
        return "it differs";
    }
}
