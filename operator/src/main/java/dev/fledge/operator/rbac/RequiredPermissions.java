package dev.fledge.operator.rbac;

import java.util.List;
import java.util.Set;

/**
 * The single list of the Kubernetes RBAC rules the operator needs, and nothing more.
 *
 * <p>The Helm chart renders exactly these rules (its tests compare them), and the
 * real-API-server tests can grant them to the operator. Change a rule here, in
 * {@code helm/fledge/templates/_helpers.tpl}, and in the operator code together.
 *
 * <p>Plain Java, no dependencies, so that other modules can depend on it.
 */
public final class RequiredPermissions {

    /** One RBAC rule: a resource (or subresource, {@code modelreleases/status}) of an API group. */
    public record Rule(String apiGroup, String resource, Set<String> verbs) {
        public Rule {
            verbs = Set.copyOf(verbs);
        }
    }

    private static final Set<String> READ = Set.of("get", "list", "watch");
    private static final Set<String> OWN = Set.of("get", "list", "watch", "create", "update", "patch", "delete");
    private static final Set<String> EMIT = Set.of("create", "patch");

    private static final List<Rule> WATCHED_NAMESPACE_RULES = List.of(
            // the primary resource: read it, remove the consumed fledge.dev/action annotation
            new Rule("fledge.dev", "modelreleases", Set.of("get", "list", "watch", "patch")),
            new Rule("fledge.dev", "modelreleases/status", Set.of("get", "patch", "update")),
            // owner references with blockOwnerDeletion need this where that admission plugin runs
            new Rule("fledge.dev", "modelreleases/finalizers", Set.of("update")),
            // what a release owns: x-stable/x-canary Deployments, x, x-stable, x-canary,
            // x-internal, x-closed Services, the release's HTTPRoute and InferencePools
            new Rule("apps", "deployments", OWN),
            new Rule("", "services", OWN),
            // a canary that does not become ready: list its pods (by label, only while it is not ready) to say why
            // (CanaryPods). No get or watch: nothing keeps pods in memory
            new Rule("", "pods", Set.of("list")),
            new Rule("gateway.networking.k8s.io", "httproutes", OWN),
            // the tracks' InferencePools of a release with spec.traffic.gatewayAPI.inferencePool
            new Rule("inference.networking.k8s.io", "inferencepools", OWN),
            // the shadow stage on Traefik (TraefikMirror): the TraefikServices that copy requests to the canary, read
            // by name at each pass of the stage and written by server-side apply (create, patch). No list, watch,
            // update or delete: nothing keeps them in memory, and they go with the release
            new Rule("traefik.io", "traefikservices", Set.of("get", "create", "patch")),
            // the tracks' HorizontalPodAutoscalers of a release with spec.server.autoscaling (Autoscalers): get to
            // check one is the release's before a write or a delete. No list or watch: nothing keeps them in memory
            new Rule("autoscaling", "horizontalpodautoscalers", Set.of("get", "create", "patch", "delete")),
            // parentRefs are validated against existing Gateways
            new Rule("gateway.networking.k8s.io", "gateways", READ),
            // safety prompt suites (get by name); the x-safety-report ConfigMap of each suite run (server-side
            // apply: create the first time, patch after; get to check it is the release's before writing). No list
            // or watch: nothing watches ConfigMaps, and list would hand every ConfigMap of a namespace to the operator
            new Rule("", "configmaps", Set.of("get", "create", "patch")),
            // each release's response-id key, x-feedback-key (FeedbackKey): create only, never read back (409 means it
            // is there). No get, list or watch: the operator cannot read any Secret, its own included
            new Rule("", "secrets", Set.of("create")),
            new Rule("", "events", EMIT),
            new Rule("events.k8s.io", "events", EMIT));

    private static final List<Rule> CLUSTER_SCOPED_RULES = List.of(
            // the shadow stage: whether a Gateway's class implements RequestMirror (MirrorSupport reads its
            // status.supportedFeatures). Cluster-wide mode only: a namespace-scoped install makes no ClusterRole, and
            // the operator then cannot tell (it mirrors as before)
            new Rule("gateway.networking.k8s.io", "gatewayclasses", Set.of("get")));

    private static final List<Rule> OPERATOR_NAMESPACE_RULES = List.of(
            // leader election: JOSDK checks get/create/update at startup; Fabric8's LeaseLock renews with patch
            new Rule("coordination.k8s.io", "leases", Set.of("get", "create", "update", "patch")));

    private static final List<Rule> GATEWAY_NAMESPACE_RULES = List.of(
            // parentRefs may name a Gateway in another namespace (say, gateway-system)
            new Rule("gateway.networking.k8s.io", "gateways", READ));

    /**
     * Only when the chart lists {@code operator.notifications.secretNames}: {@code get} on exactly those Secrets
     * (the rule carries their resourceNames), for webhook URLs given by {@code urlFrom.secretKeyRef}.
     */
    private static final Rule NOTIFICATION_SECRETS = new Rule("", "secrets", Set.of("get"));

    private RequiredPermissions() {}

    /** The optional rule for webhook URLs in Secrets; never granted without a list of Secret names. */
    public static Rule notificationSecretRule() {
        return NOTIFICATION_SECRETS;
    }

    /**
     * Rules needed in every namespace whose ModelReleases the operator manages: granted by a
     * ClusterRole in cluster-wide mode, or by one Role per watched namespace.
     */
    public static List<Rule> watchedNamespaceRules() {
        return WATCHED_NAMESPACE_RULES;
    }

    /**
     * Cluster-scoped rules, granted beside {@link #watchedNamespaceRules} by the ClusterRole of cluster-wide mode only.
     */
    public static List<Rule> clusterScopedRules() {
        return CLUSTER_SCOPED_RULES;
    }

    /**
     * Rules needed, with watched namespaces, in the other namespaces that hold Gateways the
     * releases' parentRefs name (cluster-wide mode grants them everywhere already).
     */
    public static List<Rule> gatewayNamespaceRules() {
        return GATEWAY_NAMESPACE_RULES;
    }

    /** Rules needed only in the operator's own namespace (the leader-election Lease). */
    public static List<Rule> operatorNamespaceRules() {
        return OPERATOR_NAMESPACE_RULES;
    }
}
