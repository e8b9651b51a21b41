package dev.fledge.operator.http;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where the operator may send a request that a tenant names (a judge URL, a webhook URL): issue 15, finding 6. The
 * operator POSTs from its own network position, so a tenant must not point it at the cloud metadata service, the
 * operator's own namespace, loopback, or another team's services. Allowed:
 * <ul>
 * <li>a Service of the release's own namespace ({@code name.ns}, {@code name.ns.svc}, {@code name.ns.svc.cluster.local})
 * that selects pods and has a cluster IP, the name resolving to that cluster IP. An ExternalName Service, or one without a
 * selector (its EndpointSlices are written by hand and can name any address), could send the request to any host
 * (security review 7, MED 5), so they are refused, as is a headless one (its name resolves to whatever its endpoints
 * say);</li>
 * <li>a host on the operator-wide allow-list (exact, or {@code *.example.com} for its subdomains), which holds the
 * operator's own default judge and webhook hosts.</li>
 * </ul>
 * Never, whatever the lists say: a name in the operator's own namespace (unless listed exactly), an address that
 * resolves to loopback, link-local (169.254.0.0/16, fe80::/10), the unspecified address or multicast. The addresses are
 * checked after DNS resolution. {@link #permit} also says where to send the request: an {@code http} URL of an own
 * Service goes to the cluster IP that was checked (path, query and port kept), so a name that re-resolves between the
 * check and the connection (DNS rebinding) is never asked again; the request's {@code Host} is then that IP and port
 * (the JDK client refuses to set another unless {@code jdk.httpclient.allowRestrictedHeaders} is widened for the whole
 * JVM, and a Service reached by cluster IP does not need it). An {@code https} URL and a host on the allow-list are
 * called by name (TLS checks the certificate against the name; listed hosts are the admin's): for them rebinding is
 * left to the egress NetworkPolicy, which excludes the link-local range.
 */
public final class OutboundPolicy {
    /** Resolves a host name (a seam for tests). */
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private static final Pattern SERVICE = Pattern.compile(
            "^[a-z0-9]([-a-z0-9]*[a-z0-9])?\\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\\.svc(\\.cluster\\.local)?)?$");

    private final boolean enforced;
    private final List<String> allowedHosts;
    private final Optional<String> operatorNamespace;
    private final Resolver resolver;
    private final ServiceLookup services;

    public OutboundPolicy(
            List<String> allowedHosts, Optional<String> operatorNamespace, Resolver resolver, ServiceLookup services) {
        this(true, allowedHosts, operatorNamespace, resolver, services);
    }

    private OutboundPolicy(
            boolean enforced,
            List<String> allowedHosts,
            Optional<String> operatorNamespace,
            Resolver resolver,
            ServiceLookup services) {
        this.enforced = enforced;
        this.allowedHosts = allowedHosts.stream()
                .map(h -> h.strip().toLowerCase(Locale.ROOT))
                .filter(h -> !h.isEmpty())
                .toList();
        this.operatorNamespace = operatorNamespace.filter(n -> !n.isBlank());
        this.resolver = resolver;
        this.services = services;
    }

    /** Any URL: for tests and embedded harnesses whose servers run on loopback. The operator itself enforces. */
    public static OutboundPolicy permissive() {
        return new OutboundPolicy(
                false, List.of(), Optional.empty(), InetAddress::getAllByName, (ns, name) -> Optional.empty());
    }

    /**
     * The outcome of a check: where to send the request ({@code target}), or why not ({@code refusal}).
     *
     * @param target     the URL to call: for an own Service over http, the checked cluster IP in place of the name
     * @param refusal    why the URL may not be called; null when it may
     * @param unreadable the Service could not be read (an API error) or the name did not resolve: the refusal holds
     *                   for this call only, it says nothing of the URL
     */
    public record Permit(String target, String refusal, boolean unreadable) {
        static Permit refused(String why) {
            return new Permit(null, why, false);
        }

        public boolean allowed() {
            return refusal == null;
        }
    }

    /** Empty when the operator may call {@code url} for a release in {@code namespace}; otherwise why not. */
    public Optional<String> check(String url, String namespace) {
        return Optional.ofNullable(permit(url, namespace).refusal());
    }

    /** Whether and where the operator may call {@code url} for a release in {@code namespace}. */
    public Permit permit(String url, String namespace) {
        if (!enforced) {
            return new Permit(url, null, false);
        }
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return Permit.refused("not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Permit.refused("only http and https URLs are allowed");
        }
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if (host.isEmpty() || uri.getUserInfo() != null) {
            return Permit.refused("the URL needs a host and no user info");
        }
        boolean listed = listed(host);
        if (!listed && !ownService(host, namespace)) {
            return Permit.refused("host " + host + " is neither a Service of namespace " + namespace
                    + " nor on the operator's allow-list (fledge.outbound.allowed-hosts)");
        }
        Optional<List<InetAddress>> clusterIps = Optional.empty();
        if (!listed) {
            String name = host.substring(0, host.indexOf('.'));
            Optional<ServiceLookup.Facts> service;
            try {
                service = services.find(namespace, name);
            } catch (KubernetesClientException e) {
                return new Permit(
                        null, "cannot read Service " + namespace + "/" + name + " (HTTP " + e.getCode() + ")", true);
            }
            if (service.isEmpty()) {
                return Permit.refused("Service " + namespace + "/" + name + " does not exist");
            }
            Optional<String> unsafe = unsafe(service.get(), namespace + "/" + name);
            if (unsafe.isPresent()) {
                return Permit.refused(unsafe.get());
            }
            clusterIps = Optional.of(addresses(service.get().clusterIps()));
        }
        InetAddress checked = null;
        try {
            for (InetAddress a : resolver.resolve(host)) {
                if (clusterIps.isPresent() && !clusterIps.get().contains(a)) {
                    return Permit.refused("host " + host + " resolves to " + a.getHostAddress()
                            + ", not to the cluster IP of its Service");
                }
                if (a.isLoopbackAddress()
                        || a.isLinkLocalAddress()
                        || a.isAnyLocalAddress()
                        || a.isMulticastAddress()) {
                    return Permit.refused("host " + host + " resolves to " + a.getHostAddress()
                            + " (loopback, link-local and unspecified addresses are never called)");
                }
                checked = checked == null ? a : checked;
            }
        } catch (UnknownHostException e) {
            return unresolved(host);
        }
        if (checked == null) {
            return unresolved(host);
        }
        boolean pin = clusterIps.isPresent() && scheme.equals("http");
        return new Permit(pin ? at(uri, checked) : url, null, false);
    }

    /** A name that does not resolve now may resolve in a moment (DNS hiccup): refused for this call only. */
    private static Permit unresolved(String host) {
        return new Permit(null, "host " + host + " does not resolve", true);
    }

    /** {@code uri} with its host replaced by {@code address}: port, path and query kept. */
    private static String at(URI uri, InetAddress address) {
        String host = address.getHostAddress();
        if (host.contains(":")) {
            host = "[" + host.replaceFirst("%.*$", "") + "]";
        }
        return uri.getScheme() + "://" + host + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                + (uri.getRawPath() == null ? "" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }

    /** Why a Service of the release's namespace may still lead anywhere; empty if it leads only to its own pods. */
    private static Optional<String> unsafe(ServiceLookup.Facts s, String ref) {
        if (s.type().equals("ExternalName")) {
            return Optional.of("Service " + ref + " is of type ExternalName, which can name any host");
        }
        if (!s.selectsPods()) {
            return Optional.of("Service " + ref + " has no selector, so its endpoints can be any address");
        }
        if (addresses(s.clusterIps()).isEmpty()) {
            return Optional.of("Service " + ref + " is headless; the operator calls only a Service with a cluster IP");
        }
        return Optional.empty();
    }

    private static List<InetAddress> addresses(List<String> ips) {
        return ips.stream()
                .filter(ip -> ip.matches("[0-9a-fA-F.:]+") && (ip.contains(".") || ip.contains(":")))
                .flatMap(ip -> {
                    try {
                        return Stream.of(InetAddress.getByName(ip));
                    } catch (UnknownHostException e) {
                        return Stream.empty();
                    }
                })
                .toList();
    }

    /** On the allow-list; a wildcard never covers a name in the operator's own namespace, only an exact entry does. */
    private boolean listed(String host) {
        var m = SERVICE.matcher(host);
        boolean operators =
                m.matches() && operatorNamespace.map(m.group(2)::equals).orElse(false);
        return allowedHosts.stream()
                .anyMatch(h -> h.startsWith("*.") ? !operators && host.endsWith(h.substring(1)) : host.equals(h));
    }

    private boolean ownService(String host, String namespace) {
        var m = SERVICE.matcher(host);
        return m.matches()
                && m.group(2).equals(namespace)
                && !operatorNamespace.map(namespace::equals).orElse(false);
    }

    /** The host of a configured URL, for the allow-list; empty if it has none. */
    public static Optional<String> hostOf(String url) {
        try {
            return Optional.ofNullable(URI.create(url).getHost());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
