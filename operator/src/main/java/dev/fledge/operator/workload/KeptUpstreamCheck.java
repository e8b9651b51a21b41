package dev.fledge.operator.workload;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
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
 * DesiredDeployment#upstreamPod}), as the API server stores it ({@link StoredTemplate}); the pod's security context
 * (an install's {@code runAsUser}) is held to the pod rules instead. So another volume, mount, variable, port, probe,
 * resource or node is refused. A template an older operator built otherwise is refused too, and rebuilt: an operator
 * release that changes this pod restarts such stables at the upgrade ({@code OperatorTemplateRevisionTest} only makes
 * the change visible). The sidecar {@code fledge-proxy} carries only the operator's settings: the operator's variables,
 * its two ports with readiness on the public one, its own {@code /tmp} and the key, cpu and memory, a read-only root
 * filesystem. Pure.
 */
final class KeptUpstreamCheck {
    /** What every revision that builds the sidecar sets on it (besides {@link KeptTemplateCheck}'s required ones). */
    private static final List<String> SIDECAR_ENV = List.of(
            "FLEDGE_UPSTREAM_URL",
            "FLEDGE_UPSTREAM_READINESS_PATH",
            "FLEDGE_PUBLIC_PORT",
            "FLEDGE_FEEDBACK_SIGNING_KEY_FILE");

    private static final Set<String> SIDECAR_RESOURCES = Set.of("cpu", "memory");

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
        JsonNode got = StoredTemplate.container(KeptTemplateCheck.named(kept.getSpec(), ServerDefaults.CONTAINER));
        JsonNode want = StoredTemplate.container(KeptTemplateCheck.named(built.getSpec(), ServerDefaults.CONTAINER));
        if (!got.equals(want)) {
            return Optional.of("its container " + ServerDefaults.CONTAINER + " is not the one this operator builds"
                    + " for the recorded configuration (" + firstDifference(got, want) + ")");
        }
        List<Volume> volumes = Objects.requireNonNullElse(kept.getSpec().getVolumes(), List.of());
        Map<String, JsonNode> have = StoredTemplate.volumes(volumes);
        Map<String, JsonNode> should = StoredTemplate.volumes(built.getSpec().getVolumes());
        if (!have.keySet().equals(should.keySet()) || have.size() != volumes.size()) {
            return Optional.of(
                    "its volumes " + have.keySet() + " are not the ones this operator builds " + should.keySet());
        }
        for (Map.Entry<String, JsonNode> v : have.entrySet()) {
            if (!v.getValue().equals(should.get(v.getKey()))) {
                return Optional.of("its volume " + v.getKey() + " is not the one this operator builds");
            }
        }
        JsonNode pod = StoredTemplate.podFields(kept.getSpec());
        JsonNode builtPod = StoredTemplate.podFields(built.getSpec());
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
