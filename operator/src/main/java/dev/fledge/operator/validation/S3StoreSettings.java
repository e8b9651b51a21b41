package dev.fledge.operator.validation;

import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.S3StoreSpec;
import dev.fledge.api.status.ServingStatus;
import dev.fledge.operator.workload.ModelStoreS3;
import dev.fledge.operator.workload.Names;
import io.fabric8.kubernetes.api.model.Volume;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * {@code spec.model.s3}, the S3 store of an {@code s3://} model ({@link ModelStoreS3}): only with an {@code s3://} URI
 * (the CRD's rule, re-checked for an object the API server stored without it); not with {@code spec.server.upstream},
 * whose own server loads the model, where the operator mounts nothing of the store; and its Secret not a release's
 * response-id key, which only the operator mounts, as {@link PodTemplatePolicy} holds templates to; its endpoint not a
 * metadata or link-local address ({@link #endpointHost}); no template volume of the operator's name for it (before, one was
 * dropped without a word: a stable Deployment that mounted it lost the mount). Pure.
 */
final class S3StoreSettings {
    private static final String FIELD = "spec.model.s3";
    /** Cloud metadata services' names (GCP's; AWS and Azure answer on the link-local address only). */
    private static final Set<String> METADATA_NAMES = Set.of("metadata.google.internal", "metadata.goog");
    /** An IPv4 literal (digits and dots) or an IPv6 one (hex digits and colons, maybe a dotted tail). */
    private static final Pattern IP_LITERAL = Pattern.compile("^([0-9.]+|[0-9a-f:.]*:[0-9a-f:.]*)$");

    private S3StoreSettings() {}

    static void check(ModelReleaseSpec spec, Consumer<String> errors) {
        List<Volume> volumes = spec.getServer() == null
                        || spec.getServer().getTemplate() == null
                        || spec.getServer().getTemplate().getSpec() == null
                        || spec.getServer().getTemplate().getSpec().getVolumes() == null
                ? List.of()
                : spec.getServer().getTemplate().getSpec().getVolumes();
        for (int i = 0; i < volumes.size(); i++) {
            if (ModelStoreS3.VOLUME.equals(volumes.get(i).getName())) {
                errors.accept("spec.server.template.spec.volumes[" + i + "].name: " + ModelStoreS3.VOLUME
                        + " is the operator's volume of spec.model.s3; give yours another name");
            }
        }
        S3StoreSpec s3 = spec.getModel() == null ? null : spec.getModel().getS3();
        if (s3 == null) {
            return;
        }
        String uri = spec.getModel().getUri();
        if (uri == null || !uri.startsWith("s3://")) {
            // never the URI itself: it may carry a pre-signed token
            errors.accept(FIELD + ": model.s3 applies only to an s3:// uri (spec.model.uri)");
        }
        if (spec.getServer() != null && spec.getServer().getUpstream() != null) {
            errors.accept(FIELD + ": not with spec.server.upstream: your server loads the model there, not the Fledge"
                    + " container, which is the only one the operator gives the store's settings; give your server its"
                    + " store settings (endpoint, credentials from your Secret) in spec.server.template");
        }
        secretName(s3, FIELD, errors);
        endpointHost(s3.getEndpoint()).ifPresent(why -> errors.accept(FIELD + ".endpoint: " + why));
    }

    /**
     * Why the model pod must not be pointed at {@code endpoint}'s host: a literal link-local address (the cloud
     * metadata service at 169.254.169.254, fe80::/10), an unspecified or multicast one, AWS's IPv6 metadata address,
     * or a metadata service's name. The server would ask it with the release's credentials, and its answer (refused,
     * 404, an archive's digest) shows in the pod's termination message: a tenant's probe of its node. Loopback is the
     * pod's own (the model server alone: not with {@code spec.server.upstream}), and a test's store on one machine. A
     * name that resolves to such an address is left to the model pods' egress NetworkPolicy (docs/security.md). Pure:
     * no DNS.
     */
    static Optional<String> endpointHost(String endpoint) {
        if (endpoint == null) {
            return Optional.empty();
        }
        String host;
        try {
            host = URI.create(endpoint.strip()).getHost();
        } catch (IllegalArgumentException e) {
            return Optional.of("not a URL (http:// or https:// and a host)");
        }
        if (host == null) {
            return Optional.of("not a URL (http:// or https:// and a host)");
        }
        String h = host.toLowerCase(Locale.ROOT).replaceAll("^\\[|]$", "").replaceAll("\\.$", "");
        if (METADATA_NAMES.contains(h)) {
            return Optional.of(host + " is a cloud metadata service: the model pod may not ask it");
        }
        if (!IP_LITERAL.matcher(h).matches()) {
            return Optional.empty();
        }
        try {
            InetAddress a = InetAddress.getByName(h); // a literal: no lookup
            if (a.isLinkLocalAddress()
                    || a.isAnyLocalAddress()
                    || a.isMulticastAddress()
                    || a.equals(InetAddress.getByName("fd00:ec2::254"))) {
                return Optional.of(host + " is a link-local (cloud metadata), unspecified or multicast address: the"
                        + " model pod may not ask it");
            }
        } catch (UnknownHostException e) {
            return Optional.of("not a URL (http:// or https:// and a host)");
        }
        return Optional.empty();
    }

    /** The recorded store of {@code status.stable}, which the status subresource stores as it is written. */
    static void recorded(ServingStatus serving, String path, Consumer<String> errors) {
        if (serving.getS3() != null) {
            secretName(serving.getS3(), path + ".s3", errors);
        }
    }

    private static void secretName(S3StoreSpec s3, String field, Consumer<String> errors) {
        if (Names.isFeedbackKey(s3.getSecretName())) {
            errors.accept(field + ".secretName: " + s3.getSecretName() + ": " + PodTemplatePolicy.KEY_REFUSAL);
        }
    }
}
