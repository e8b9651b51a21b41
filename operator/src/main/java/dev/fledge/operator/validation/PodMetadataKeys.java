package dev.fledge.operator.validation;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which label and annotation keys a tenant may put on its model pods (security review 7, MED 4). Controllers read
 * prefixed keys as instructions: a cloud role ({@code iam.amazonaws.com/role}), extra networks
 * ({@code k8s.v1.cni.cncf.io/networks}), a fixed pod IP ({@code cni.projectcalico.org/ipAddrs}), a way out of the mesh
 * ({@code sidecar.istio.io/inject}), a label that NetworkPolicies or scrape configs trust
 * ({@code app.kubernetes.io/name: prometheus}). So:
 * <ul>
 * <li>a key without a prefix ({@code team}, {@code cost-center}) is allowed: Kubernetes reserves those for the user;</li>
 * <li>a prefixed key only when the operator's allow-list names it: an entry ending in {@code /} allows every key under
 * that prefix, any other entry exactly that key. Empty (the default): no prefixed key;</li>
 * <li>never, whatever the list says: the operator's own {@code fledge.dev/} keys, and keys of the domains that set a
 * pod's cloud identity, network or mesh ({@link #NEVER_DOMAINS}).</li>
 * </ul>
 *
 * @param allowedLabelPrefixes      operator-wide ({@code fledge.server.allowed-pod-label-prefixes})
 * @param allowedAnnotationPrefixes operator-wide ({@code fledge.server.allowed-pod-annotation-prefixes})
 */
public record PodMetadataKeys(List<String> allowedLabelPrefixes, List<String> allowedAnnotationPrefixes) {
    /** Key prefixes (DNS domains and their subdomains) no list can open. */
    static final List<String> NEVER_DOMAINS = List.of(
            "fledge.dev",
            "amazonaws.com",
            "azure.workload.identity",
            "cncf.io",
            "multus-cni.io",
            "projectcalico.org",
            "cilium.io",
            "istio.io",
            "linkerd.io");

    public PodMetadataKeys {
        allowedLabelPrefixes = SettingList.entries(allowedLabelPrefixes);
        allowedAnnotationPrefixes = SettingList.entries(allowedAnnotationPrefixes);
    }

    /** Unprefixed keys only. */
    public static PodMetadataKeys unprefixedOnly() {
        return new PodMetadataKeys(List.of(), List.of());
    }

    /** Why a tenant may not set label {@code key}; empty if it may. */
    public Optional<String> labelRefusal(String key) {
        return refusal(key, allowedLabelPrefixes, "fledge.server.allowed-pod-label-prefixes");
    }

    /** Why a tenant may not set annotation {@code key}; empty if it may. */
    public Optional<String> annotationRefusal(String key) {
        return refusal(key, allowedAnnotationPrefixes, "fledge.server.allowed-pod-annotation-prefixes");
    }

    private static Optional<String> refusal(String key, List<String> allowed, String setting) {
        int slash = key.indexOf('/');
        if (slash < 0) {
            return Optional.empty();
        }
        String domain = key.substring(0, slash).toLowerCase(Locale.ROOT);
        if (domain.equals("fledge.dev") || domain.endsWith(".fledge.dev")) {
            return Optional.of("set by the operator");
        }
        if (NEVER_DOMAINS.stream().anyMatch(d -> domain.equals(d) || domain.endsWith("." + d))) {
            return Optional.of("keys of " + domain
                    + " set a pod's cloud identity, network or mesh and are never allowed in a ModelRelease");
        }
        boolean listed = allowed.stream().anyMatch(p -> p.endsWith("/") ? key.startsWith(p) : key.equals(p));
        if (listed) {
            return Optional.empty();
        }
        return Optional.of("a prefixed key needs the operator's allow-list (" + setting + ": "
                + (allowed.isEmpty() ? "none, so only keys without a prefix" : allowed.toString()) + ")");
    }
}
