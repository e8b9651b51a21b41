package dev.fledge.e2e.apiserver;

import dev.fledge.testsupport.FledgeChart;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;

/**
 * A rendered chart's RBAC, and nothing else, applied to the real API server, and a client that impersonates the
 * chart's ServiceAccount: what the operator may do when installed by that chart.
 */
record ChartAccount(FledgeChart chart, KubernetesClient client) implements AutoCloseable {

    /** Installs the CRDs, the namespaces and the chart's RBAC; the account's client impersonates its ServiceAccount. */
    static ChartAccount apply(KubernetesClient admin, FledgeChart chart, String operatorNs, List<String> namespaces) {
        var cluster = new ClusterResources(admin);
        cluster.installCrds(List.of(RepoFiles.modelReleaseCrd()));
        cluster.installCrds(RepoFiles.gatewayApiCrds());
        cluster.ensureNamespace(operatorNs);
        namespaces.forEach(cluster::ensureNamespace);
        for (HasMetadata o : chart.rbac()) {
            admin.resource(o)
                    .fieldManager(ClusterResources.FIELD_MANAGER)
                    .forceConflicts()
                    .serverSideApply();
        }
        String user = "system:serviceaccount:" + operatorNs + ":" + chart.serviceAccountName();
        return new ChartAccount(chart, RealApiServer.shared().clientWith(c -> {
            c.setImpersonateUsername(user);
            return c;
        }));
    }

    /** A SelfSubjectAccessReview sent as the account; a null subresource or namespace is left out of the review. */
    boolean allowed(String verb, String group, String resource, String subresource, String namespace) {
        return client.authorization()
                .v1()
                .selfSubjectAccessReview()
                .create(new SelfSubjectAccessReviewBuilder()
                        .withNewSpec()
                        .withNewResourceAttributes()
                        .withVerb(verb)
                        .withGroup(group)
                        .withResource(resource)
                        .withSubresource(subresource)
                        .withNamespace(namespace)
                        .endResourceAttributes()
                        .endSpec()
                        .build())
                .getStatus()
                .getAllowed();
    }

    @Override
    public void close() {
        client.close();
    }
}
