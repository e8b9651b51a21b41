package dev.fledge.operator.validation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fledge.api.spec.HostPathMounts;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.operator.workload.ModelServerLimits;
import dev.fledge.operator.workload.MountPaths;
import dev.fledge.operator.workload.Names;
import dev.fledge.operator.workload.PodHardening;
import dev.fledge.operator.workload.ServerDefaults;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What a tenant may put in {@code spec.server}: the pod template allow-list ({@link PodTemplateAllowList}), label
 * and annotation keys the operator owns, one volume source of a safe type, env names that do not configure the
 * server or the linker ({@link ModelServerLimits#refusal}), mount paths off the image's code ({@link MountPaths}),
 * and, when the operator is configured
 * with prefixes, the image. Each error names its field. Pure.
 *
 * @param allowedImagePrefixes    operator-wide; empty means any image
 * @param allowedHostPathPrefixes operator-wide node directories a hostPath volume may name; empty means none
 * @param metadataKeys            the label and annotation keys a tenant may set ({@link PodMetadataKeys})
 * @param upstreamEnabled         whether a release may set {@code spec.server.upstream} ({@value #UPSTREAM_SETTING}):
 *                                it runs an image, command and args of the tenant's choice in the model pod
 */
public record PodTemplatePolicy(
        List<String> allowedImagePrefixes,
        List<String> allowedHostPathPrefixes,
        PodMetadataKeys metadataKeys,
        boolean upstreamEnabled) {
    /** The operator setting that allows {@code spec.server.upstream}; off by default. */
    public static final String UPSTREAM_SETTING = "fledge.server.upstream.enabled";

    private static final String BASE = "spec.server.template";
    static final String KEY_REFUSAL = "a release's response-id key (Secrets named *" + Names.FEEDBACK_KEY_SUFFIX
            + ") is mounted by the operator only, into the Fledge server";
    private static final List<String> RESERVED_ANNOTATIONS = List.of(
            "container.apparmor.security.beta.kubernetes.io/",
            "seccomp.security.alpha.kubernetes.io/",
            "container.seccomp.security.alpha.kubernetes.io/");

    public PodTemplatePolicy {
        allowedImagePrefixes = SettingList.entries(allowedImagePrefixes);
        allowedHostPathPrefixes = SettingList.entries(allowedHostPathPrefixes);
    }

    /** Without {@code spec.server.upstream}. */
    public PodTemplatePolicy(
            List<String> allowedImagePrefixes, List<String> allowedHostPathPrefixes, PodMetadataKeys metadataKeys) {
        this(allowedImagePrefixes, allowedHostPathPrefixes, metadataKeys, false);
    }

    /** Unprefixed label and annotation keys only, without {@code spec.server.upstream}. */
    public PodTemplatePolicy(List<String> allowedImagePrefixes, List<String> allowedHostPathPrefixes) {
        this(allowedImagePrefixes, allowedHostPathPrefixes, PodMetadataKeys.unprefixedOnly());
    }

    /** Any image, {@code spec.server.upstream} allowed: for tests on a mock or real API server. */
    public static PodTemplatePolicy anyImage() {
        return new PodTemplatePolicy(List.of(), List.of(), PodMetadataKeys.unprefixedOnly(), true);
    }

    /** This policy with {@code spec.server.upstream} allowed or not. */
    public PodTemplatePolicy withUpstream(boolean enabled) {
        return new PodTemplatePolicy(allowedImagePrefixes, allowedHostPathPrefixes, metadataKeys, enabled);
    }

    public void check(ServerSpec server, Consumer<String> errors) {
        if (server == null) {
            return;
        }
        if (server.getImage() != null && !imageAllowed(server.getImage())) {
            errors.accept("spec.server.image: " + server.getImage()
                    + " is not allowed by this operator (allowed prefixes: " + allowedImagePrefixes + ")");
        }
        if (server.getUpstream() != null && !upstreamEnabled) {
            errors.accept("spec.server.upstream: not enabled on this operator (setting " + UPSTREAM_SETTING
                    + ", chart value operator.modelPods.upstream.enabled): it runs an image, command and args of the"
                    + " release's choice in the model pod");
        }
        if (server.getUpstream() != null && server.getImage() == null) {
            errors.accept("spec.server.image: required with spec.server.upstream (the other server's image); the"
                    + " operator's default image is the Fledge model server");
        }
        if (server.getUpstream() != null
                && server.getUpstream().getProxyImage() != null
                && !imageAllowed(server.getUpstream().getProxyImage())) {
            errors.accept(
                    "spec.server.upstream.proxyImage: " + server.getUpstream().getProxyImage()
                            + " is not allowed by this operator (allowed prefixes: " + allowedImagePrefixes + ")");
        }
        if (server.getTemplate() == null) {
            return;
        }
        JsonNode tree = Serialization.jsonMapper().valueToTree(server.getTemplate());
        walk(tree, PodTemplateAllowList.TEMPLATE, BASE, errors);
        keys(
                tree.path("metadata").path("labels"),
                BASE + ".metadata.labels",
                errors,
                k -> metadataKeys.labelRefusal(k).orElse(null));
        keys(
                tree.path("metadata").path("annotations"),
                BASE + ".metadata.annotations",
                errors,
                k -> RESERVED_ANNOTATIONS.stream().anyMatch(k::startsWith)
                        ? "AppArmor and seccomp are set by the operator"
                        : metadataKeys.annotationRefusal(k).orElse(null));
        JsonNode volumes = tree.path("spec").path("volumes");
        Set<String> emptyDirs = new HashSet<>();
        Set<String> hostPaths = new HashSet<>();
        volumes.forEach(v -> {
            if (v.has("emptyDir")) {
                emptyDirs.add(v.path("name").asText());
            }
            if (v.has("hostPath")) {
                hostPaths.add(v.path("name").asText());
            }
        });
        JsonNode containers = tree.path("spec").path("containers");
        for (int i = 0; i < containers.size(); i++) {
            if (!ServerDefaults.CONTAINER.equals(containers.get(i).path("name").asText())) {
                errors.accept(BASE + ".spec.containers[" + i + "].name: only the container named "
                        + ServerDefaults.CONTAINER + " may be set; extra containers are not allowed");
            }
            for (String field : List.of("command", "args")) {
                if (server.getUpstream() == null && containers.get(i).has(field)) {
                    errors.accept(BASE + ".spec.containers[" + i + "]." + field
                            + ": only with spec.server.upstream (another server's image); the operator starts the"
                            + " Fledge model server");
                }
            }
            JsonNode env = containers.get(i).path("env");
            for (int j = 0; j < env.size(); j++) {
                String name = env.get(j).path("name").asText();
                int at = j;
                int in = i;
                ModelServerLimits.refusal(name)
                        .ifPresent(why -> errors.accept(
                                BASE + ".spec.containers[" + in + "].env[" + at + "].name: " + name + ": " + why));
                String secret = env.get(j)
                        .path("valueFrom")
                        .path("secretKeyRef")
                        .path("name")
                        .asText("");
                if (Names.isFeedbackKey(secret)) {
                    errors.accept(BASE + ".spec.containers[" + i + "].env[" + j + "].valueFrom.secretKeyRef.name: "
                            + secret + ": " + KEY_REFUSAL);
                }
            }
            JsonNode mounts = containers.get(i).path("volumeMounts");
            List<MountPaths.Mount> paths = new ArrayList<>();
            mounts.forEach(m -> paths.add(new MountPaths.Mount(
                    m.path("mountPath").asText(null),
                    emptyDirs.contains(m.path("name").asText()))));
            for (int j = 0; j < mounts.size(); j++) {
                String path = mounts.get(j).path("mountPath").asText(null);
                String at = BASE + ".spec.containers[" + i + "].volumeMounts[" + j + "].mountPath: " + path + ": ";
                MountPaths.refusal(
                                path,
                                emptyDirs.contains(mounts.get(j).path("name").asText()))
                        .ifPresent(why -> errors.accept(at + why));
                // the Fledge server holds the key; another server's container runs the tenant's code anyway
                if (server.getUpstream() == null) {
                    MountPaths.nestedRefusal(j, paths).ifPresent(why -> errors.accept(at + why));
                }
                // any container: a writable node directory is the way out of the allowed prefixes
                if (hostPaths.contains(mounts.get(j).path("name").asText())
                        && !mounts.get(j).path("readOnly").asBoolean(false)) {
                    errors.accept(BASE + ".spec.containers[" + i + "].volumeMounts[" + j + "].readOnly: "
                            + HostPathMounts.MESSAGE);
                }
            }
        }
        SchemaRules.volumes(volumes, BASE + ".spec.volumes", errors);
        for (int i = 0; i < volumes.size(); i++) {
            long sources = PodTemplateAllowList.VOLUME.keySet().stream()
                    .filter(k -> !k.equals("name"))
                    .filter(volumes.get(i)::has)
                    .count();
            if (sources != 1) {
                errors.accept(BASE + ".spec.volumes[" + i + "]: needs exactly one of emptyDir, configMap, secret,"
                        + " downwardAPI, persistentVolumeClaim, ephemeral, hostPath");
            }
            String secret = volumes.get(i).path("secret").path("secretName").asText("");
            if (Names.isFeedbackKey(secret)) {
                errors.accept(BASE + ".spec.volumes[" + i + "].secret.secretName: " + secret + ": " + KEY_REFUSAL);
            }
            JsonNode hostPath = volumes.get(i).path("hostPath");
            if (!hostPath.isMissingNode()
                    && !PodHardening.hostPathAllowed(
                            allowedHostPathPrefixes, hostPath.path("path").asText())) {
                errors.accept(
                        BASE + ".spec.volumes[" + i + "].hostPath: node directories are not allowed by this operator"
                                + (allowedHostPathPrefixes.isEmpty() ? "" : " outside " + allowedHostPathPrefixes));
            }
        }
    }

    /**
     * Whether {@code image} is under one of the prefixes, on a path-segment boundary (security review 7, LOW 1): a
     * prefix ending in {@code /} matches as it is; any other prefix must be the image's whole repository or be
     * followed by {@code /}, {@code :} or {@code @}. So {@code registry.example.com} allows
     * {@code registry.example.com/x} but not {@code registry.example.com.evil.io/x}, and {@code ghcr.io/acme/models}
     * allows {@code ghcr.io/acme/models:1.0} but not {@code ghcr.io/acme/models-attacker/x}.
     */
    public boolean imageAllowed(String image) {
        return allowedImagePrefixes.isEmpty() || allowedImagePrefixes.stream().anyMatch(p -> underPrefix(image, p));
    }

    private static boolean underPrefix(String image, String prefix) {
        if (!image.startsWith(prefix)) {
            return false;
        }
        if (prefix.endsWith("/") || image.length() == prefix.length()) {
            return true;
        }
        char next = image.charAt(prefix.length());
        return next == '/' || next == ':' || next == '@';
    }

    @SuppressWarnings("unchecked")
    static void walk(JsonNode node, Map<String, Object> allowed, String path, Consumer<String> errors) {
        if (allowed.isEmpty()) {
            return;
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), allowed, path + "[" + i + "]", errors);
            }
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            Object below = allowed.get(field.getKey());
            String here = path + "." + field.getKey();
            if (below == null) {
                errors.accept(here + ": not allowed in a ModelRelease (allowed: "
                        + allowed.keySet().stream().sorted().toList() + ")");
            } else {
                walk(field.getValue(), (Map<String, Object>) below, here, errors);
            }
        }
    }

    private static void keys(JsonNode map, String path, Consumer<String> errors, Function<String, String> problem) {
        map.fieldNames().forEachRemaining(k -> {
            String p = problem.apply(k);
            if (p != null) {
                errors.accept(path + "[" + k + "]: " + p);
            }
        });
    }
}
