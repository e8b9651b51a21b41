package dev.fledge.operator.workload;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fledge.operator.validation.KeptTemplateFields;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.math.BigDecimal;
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
 * containers to the pod-wide and privilege rules): the other server's container {@code model-server} and the pod's
 * volumes must be what this operator builds for the recorded configuration ({@link DesiredDeployment#upstreamPod}), but
 * for the container's security context (held to the privilege rules, which an install's hardening settings change)
 * and what the API server fills in or spells otherwise when it stores a Deployment. The other server runs the tenant's
 * image, command and args from the recorded template, so nothing of it is taken on trust: another volume, mount,
 * variable, port, probe or resource is refused, and a template an older revision built otherwise is rebuilt (its pods
 * restart) rather than kept. The sidecar {@code fledge-proxy} carries only the operator's settings: the operator's
 * variables, its two ports with readiness on the public one, its own {@code /tmp} and the key, cpu and memory. Pure.
 */
final class KeptUpstreamCheck {
    /** What every revision that builds the sidecar sets on it (besides {@link KeptTemplateCheck}'s required ones). */
    private static final List<String> SIDECAR_ENV = List.of(
            "FLEDGE_UPSTREAM_URL",
            "FLEDGE_UPSTREAM_READINESS_PATH",
            "FLEDGE_PUBLIC_PORT",
            "FLEDGE_FEEDBACK_SIGNING_KEY_FILE");

    private static final Set<String> SIDECAR_RESOURCES = Set.of("cpu", "memory");

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
     * Why {@code server} (the other server's container) or {@code volumes} (the pod's) are not what {@code built}
     * holds; empty when they are.
     */
    static Optional<String> refusal(Container server, List<Volume> volumes, DesiredDeployment.UpstreamPod built) {
        JsonNode got = normalized(server);
        JsonNode want = normalized(built.server());
        if (!got.equals(want)) {
            return Optional.of("its container " + ServerDefaults.CONTAINER + " is not the one this operator builds"
                    + " for the recorded configuration (" + firstDifference(got, want) + ")");
        }
        Map<String, JsonNode> have = byName(volumes);
        Map<String, JsonNode> should = byName(built.volumes());
        if (!have.keySet().equals(should.keySet()) || have.size() != volumes.size()) {
            return Optional.of(
                    "its volumes " + have.keySet() + " are not the ones this operator builds " + should.keySet());
        }
        for (Map.Entry<String, JsonNode> v : have.entrySet()) {
            if (!v.getValue().equals(should.get(v.getKey()))) {
                return Optional.of("its volume " + v.getKey() + " is not the one this operator builds");
            }
        }
        return Optional.empty();
    }

    /**
     * {@code c} without its security context, in the form this operator writes it: what the API server fills in when
     * it stores a container dropped, empty values as none, quantities and env references as the operator spells them.
     */
    private static JsonNode normalized(Container c) {
        Container copy = Serialization.clone(c);
        copy.setSecurityContext(null);
        if ("/dev/termination-log".equals(copy.getTerminationMessagePath())) {
            copy.setTerminationMessagePath(null);
        }
        if ("File".equals(copy.getTerminationMessagePolicy())) {
            copy.setTerminationMessagePolicy(null);
        }
        copy.setImagePullPolicy(null);
        if (copy.getPorts() != null) {
            copy.getPorts().stream().filter(p -> p.getProtocol() == null).forEach(p -> p.setProtocol("TCP"));
        }
        if (copy.getEnv() != null) {
            for (EnvVar e : copy.getEnv()) {
                if ("".equals(e.getValue())) {
                    e.setValue(null);
                }
                if (e.getValueFrom() != null
                        && e.getValueFrom().getFieldRef() != null
                        && e.getValueFrom().getFieldRef().getApiVersion() == null) {
                    e.getValueFrom().getFieldRef().setApiVersion("v1");
                }
                if (e.getValueFrom() != null && e.getValueFrom().getResourceFieldRef() != null) {
                    Quantity d = e.getValueFrom().getResourceFieldRef().getDivisor();
                    e.getValueFrom().getResourceFieldRef().setDivisor(d == null ? new Quantity("0") : amount(d));
                }
            }
        }
        if (copy.getResources() != null) {
            copy.getResources().setLimits(amounts(copy.getResources().getLimits()));
            copy.getResources().setRequests(amounts(copy.getResources().getRequests()));
        }
        return KeptTemplateFields.pruned(Serialization.jsonMapper().valueToTree(copy));
    }

    /** Each volume by name, with the modes and types the API server fills in when the operator leaves them out. */
    private static Map<String, JsonNode> byName(List<Volume> volumes) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (Volume v : Objects.requireNonNullElse(volumes, List.<Volume>of())) {
            Volume copy = Serialization.clone(v);
            if (copy.getSecret() != null && copy.getSecret().getDefaultMode() == null) {
                copy.getSecret().setDefaultMode(0644);
            }
            if (copy.getConfigMap() != null && copy.getConfigMap().getDefaultMode() == null) {
                copy.getConfigMap().setDefaultMode(0644);
            }
            if (copy.getDownwardAPI() != null && copy.getDownwardAPI().getDefaultMode() == null) {
                copy.getDownwardAPI().setDefaultMode(0644);
            }
            if (copy.getHostPath() != null && copy.getHostPath().getType() == null) {
                copy.getHostPath().setType("");
            }
            if (copy.getEmptyDir() != null && copy.getEmptyDir().getSizeLimit() != null) {
                copy.getEmptyDir().setSizeLimit(amount(copy.getEmptyDir().getSizeLimit()));
            }
            out.put(
                    v.getName(),
                    KeptTemplateFields.pruned(Serialization.jsonMapper().valueToTree(copy)));
        }
        return out;
    }

    private static Map<String, Quantity> amounts(Map<String, Quantity> q) {
        if (q == null) {
            return null;
        }
        Map<String, Quantity> out = new LinkedHashMap<>();
        q.forEach((k, v) -> out.put(k, amount(v)));
        return out;
    }

    /** {@code q} as a plain number ({@code 1000m} and {@code 1} alike); as it is when it cannot be read. */
    private static Quantity amount(Quantity q) {
        try {
            BigDecimal n = q.getNumericalAmount();
            return new Quantity(n.stripTrailingZeros().toPlainString());
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
