package dev.fledge.operator.validation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fledge.api.status.ServingStatus;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Rules the CRD schema holds for the spec (crds' {@code ModelSpec}, {@code ServerSpec}, {@code PodTemplateSchema}),
 * held here for what the schema never checked: {@code status.stable}, which the status subresource stores as it is
 * written, a kept pod template, and a release stored before a rule existed (review of issue 15: the re-check of
 * {@code status.stable} missed an empty ephemeral storage class, a port, the URI scheme). Keep them in step with the
 * schema. Pure.
 */
public final class SchemaRules {
    /**
     * ModelSpec.uri's schemes, gs:// included: the schema no longer takes gs:// (the built-in server never loaded it),
     * but a release that was already serving from it (a server image of its own) is not made Invalid by an upgrade.
     */
    static final Pattern URI = Pattern.compile("^(s3|gs|https|http|file|pvc)://.+$");
    /** ModelSpec.name. */
    static final Pattern NAME = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
    /** ModelSpec.version. */
    static final Pattern VERSION = Pattern.compile("^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$");
    /** ModelSpec.sha256. */
    static final Pattern SHA256 = Pattern.compile("^[a-f0-9]{64}$");
    /** PodTemplateSchema.HostPath.type. */
    static final List<String> HOST_PATH_TYPES = List.of("Directory", "DirectoryOrCreate");

    private SchemaRules() {}

    /** The serving fields of {@code s} that the spec's schema would refuse, each under {@code path}. */
    static void serving(ServingStatus s, String path, Consumer<String> errors) {
        if (s.getUri() == null || !URI.matcher(s.getUri()).matches()) {
            // never the URI itself: it may carry a pre-signed token
            errors.accept(path + ".uri: not a URI of a scheme the model server reads (s3, gs, https, http, file, pvc)");
        }
        if (s.getName() == null
                || s.getName().length() > 63
                || !NAME.matcher(s.getName()).matches()) {
            errors.accept(path + ".name: not a model name (lower-case letters, digits and -, at most 63)");
        }
        if (s.getVersion() == null || !VERSION.matcher(s.getVersion()).matches()) {
            errors.accept(path + ".version: not a version (letters, digits, ., _ and -, at most 63)");
        }
        if (s.getSha256() != null && !SHA256.matcher(s.getSha256()).matches()) {
            errors.accept(path + ".sha256: not 64 lower-case hex digits");
        }
        if (s.getPort() != null && (s.getPort() < 1 || s.getPort() > 65535)) {
            errors.accept(path + ".port: " + s.getPort() + " is not a port (1 to 65535)");
        }
        if (s.getImage() != null && s.getImage().isBlank()) {
            errors.accept(path + ".image: empty");
        }
    }

    /** The volumes (a list node) under {@code path} that the schema would refuse. */
    public static void volumes(JsonNode volumes, String path, Consumer<String> errors) {
        for (int i = 0; i < volumes.size(); i++) {
            JsonNode v = volumes.get(i);
            JsonNode claim = v.path("ephemeral").path("volumeClaimTemplate").path("spec");
            JsonNode storageClass = claim.path("storageClassName");
            if (storageClass.isTextual() && storageClass.asText().isEmpty()) {
                errors.accept(path + "[" + i + "].ephemeral.volumeClaimTemplate.spec.storageClassName: empty; an"
                        + " empty class binds any matching pre-provisioned volume, which may hold another team's data"
                        + " (leave it out for the cluster's default class)");
            }
            JsonNode type = v.path("hostPath").path("type");
            if (type.isTextual() && !type.asText().isEmpty() && !HOST_PATH_TYPES.contains(type.asText())) {
                errors.accept(
                        path + "[" + i + "].hostPath.type: " + type.asText() + " is not one of " + HOST_PATH_TYPES);
            }
        }
    }
}
