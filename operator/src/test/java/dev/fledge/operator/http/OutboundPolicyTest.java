package dev.fledge.operator.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Issue 15, finding 6: the judge and webhook URLs a tenant names cannot turn the operator into its proxy. */
class OutboundPolicyTest {
    static final Map<String, String> DNS = Map.of(
            "guard.team-a.svc", "10.96.0.10",
            "guard.team-a.svc.cluster.local", "10.96.0.10",
            "evil.team-a.svc", "10.96.9.90",
            "moved.team-a.svc", "10.96.9.90",
            "payments.team-b.svc", "10.96.0.11",
            "fledge-metrics.fledge-system.svc", "10.96.0.12",
            "hooks.slack.com", "54.0.0.1",
            "moderation.example.com", "54.0.0.2",
            "rebound.example.com", "169.254.169.254",
            "local.example.com", "127.0.0.1");

    /** The Services of team-a, as the API server has them. */
    static final Map<String, ServiceLookup.Facts> SERVICES = Map.of(
            "guard", new ServiceLookup.Facts("ClusterIP", true, List.of("10.96.0.10")),
            // ExternalName: its name is a CNAME to, e.g., prometheus.monitoring.svc (10.96.9.90)
            "evil", new ServiceLookup.Facts("ExternalName", false, List.of()),
            // no selector: hand-written EndpointSlices may name any address
            "manual", new ServiceLookup.Facts("ClusterIP", false, List.of("10.96.0.13")),
            "headless", new ServiceLookup.Facts("ClusterIP", true, List.of("None")),
            "moved", new ServiceLookup.Facts("ClusterIP", true, List.of("10.96.0.14")));

    final OutboundPolicy policy = new OutboundPolicy(
            List.of("hooks.slack.com", "*.example.com"),
            Optional.of("fledge-system"),
            host -> {
                String ip = DNS.get(host);
                if (ip == null && !host.matches("[0-9.]+")) {
                    throw new UnknownHostException(host);
                }
                return new InetAddress[] {InetAddress.getByName(ip == null ? host : ip)};
            },
            (ns, name) -> ns.equals("team-a") ? Optional.ofNullable(SERVICES.get(name)) : Optional.empty());

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            http://guard.team-a.svc:8080/v1/moderations               | allowed
            http://guard.team-a.svc.cluster.local:8080/v1/moderations | allowed
            https://hooks.slack.com/services/T/B/x                    | allowed
            https://moderation.example.com/v1/moderations             | allowed
            http://payments.team-b.svc:8080/                          | neither a Service of namespace team-a nor on the operator's allow-list
            http://fledge-metrics.fledge-system.svc:8080/q/metrics    | neither a Service of namespace team-a
            http://169.254.169.254/latest/meta-data/                  | neither a Service of namespace team-a
            http://127.0.0.1:8080/                                    | neither a Service of namespace team-a
            http://localhost:8080/                                    | neither a Service of namespace team-a
            https://rebound.example.com/                              | resolves to 169.254.169.254
            https://local.example.com/                                | resolves to 127.0.0.1
            file:///etc/passwd                                        | only http and https
            http://user:pw@guard.team-a.svc/                          | no user info
            http://nowhere.team-a.svc/                                | Service team-a/nowhere does not exist
            """)
    void onlyTheReleasesOwnServicesAndListedHostsAreCalled(String url, String expected) {
        Optional<String> denied = policy.check(url, "team-a");
        if (expected.equals("allowed")) {
            assertThat(denied).isEmpty();
        } else {
            assertThat(denied).hasValueSatisfying(d -> assertThat(d).contains(expected));
        }
    }

    /** Security review 7, MED 5: a Service of the release's own namespace that can lead to any host is refused. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            http://evil.team-a.svc:9090/-/quit     | Service team-a/evil is of type ExternalName
            http://evil.team-a:9090/-/quit         | Service team-a/evil is of type ExternalName
            http://manual.team-a.svc:9090/-/quit   | Service team-a/manual has no selector
            http://headless.team-a.svc:8080/       | Service team-a/headless is headless
            http://moved.team-a.svc:9090/-/quit    | resolves to 10.96.9.90, not to the cluster IP of its Service
            """)
    void anOwnServiceThatCanLeadAnywhereIsRefused(String url, String expected) {
        assertThat(policy.check(url, "team-a"))
                .hasValueSatisfying(d -> assertThat(d).contains(expected));
    }

    @ParameterizedTest
    @CsvSource({"http://fledge-metrics.fledge-system.svc:8080/q/metrics"})
    void aReleaseInTheOperatorsOwnNamespaceGetsNoServiceThere(String url) {
        assertThat(policy.check(url, "fledge-system")).isPresent();
        assertThat(OutboundPolicy.permissive().check(url, "fledge-system")).isEmpty();
    }

    /**
     * DNS rebinding: an http Service of the release's namespace is called at the cluster IP that was checked, never by
     * its name again; https (the certificate names the host) and listed hosts (the admin's) are called by name.
     */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            http://guard.team-a.svc:8080/v1/moderations?x=1      | http://10.96.0.10:8080/v1/moderations?x=1
            http://guard.team-a.svc.cluster.local/hook           | http://10.96.0.10/hook
            https://guard.team-a.svc:8443/v1/moderations         | https://guard.team-a.svc:8443/v1/moderations
            https://moderation.example.com/v1/moderations        | https://moderation.example.com/v1/moderations
            """)
    void anAllowedUrlIsCalledAtTheAddressThatWasChecked(String url, String target) {
        OutboundPolicy.Permit permit = policy.permit(url, "team-a");
        assertThat(permit.allowed()).isTrue();
        assertThat(permit.target()).isEqualTo(target);
    }

    @ParameterizedTest
    @CsvSource({"http://v6.team-a.svc:8080/v1/moderations"})
    void anIpv6ClusterIpIsCalledInBrackets(String url) {
        OutboundPolicy v6 = new OutboundPolicy(
                List.of(),
                Optional.empty(),
                host -> new InetAddress[] {InetAddress.getByName("fd00:10:96::a")},
                (ns, name) -> Optional.of(new ServiceLookup.Facts("ClusterIP", true, List.of("fd00:10:96::a"))));
        assertThat(v6.permit(url, "team-a").target()).isEqualTo("http://[fd00:10:96:0:0:0:0:a]:8080/v1/moderations");
    }

    /** A wildcard on the allow-list never reaches the operator's own namespace; only an exact entry does. */
    @Test
    void aWildcardEntryDoesNotOpenTheOperatorsNamespace() {
        OutboundPolicy wide = new OutboundPolicy(
                List.of("*.svc.cluster.local", "judge.fledge-system.svc.cluster.local"),
                Optional.of("fledge-system"),
                host -> new InetAddress[] {InetAddress.getByName("10.96.0.50")},
                (ns, name) -> Optional.empty());
        assertThat(wide.check("http://fledge-metrics.fledge-system.svc.cluster.local:8080/q/metrics", "team-a"))
                .hasValueSatisfying(d -> assertThat(d).contains("neither a Service of namespace team-a"));
        assertThat(wide.check("http://judge.fledge-system.svc.cluster.local/v1/moderations", "team-a"))
                .as("listed exactly")
                .isEmpty();
        assertThat(wide.check("http://guard.team-b.svc.cluster.local/v1/moderations", "team-a"))
                .as("the admin's wildcard")
                .isEmpty();
    }

    /** A name that does not resolve now is refused for this call only: a judge run or a webhook may try again. */
    @Test
    void aNameThatDoesNotResolveIsRefusedForThisCallOnly() {
        OutboundPolicy.Permit permit = policy.permit("https://gone.example.com/v1/moderations", "team-a");
        assertThat(permit.allowed()).isFalse();
        assertThat(permit.refusal()).contains("does not resolve");
        assertThat(permit.unreadable()).isTrue();
    }
}
