package dev.fledge.e2e.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The vendored upstream Gateway API CRDs install on the pinned Kubernetes version. */
@Tag("apiserver")
class GatewayApiCrdsTest {

    @Test
    void vendoredGatewayApiCrdsApplyCleanlyAndBecomeEstablished() {
        var cluster = new ClusterResources(RealApiServer.shared().client());

        List<CustomResourceDefinition> installed = cluster.installCrds(RepoFiles.gatewayApiCrds());

        assertThat(installed)
                .extracting(crd -> crd.getMetadata().getName())
                .containsExactlyInAnyOrder(
                        "gatewayclasses.gateway.networking.k8s.io",
                        "gateways.gateway.networking.k8s.io",
                        "httproutes.gateway.networking.k8s.io",
                        "referencegrants.gateway.networking.k8s.io",
                        "grpcroutes.gateway.networking.k8s.io",
                        "backendtlspolicies.gateway.networking.k8s.io");
        assertThat(installed)
                .allSatisfy(crd -> assertThat(crd.getMetadata().getAnnotations())
                        .containsEntry("gateway.networking.k8s.io/bundle-version", "v1.4.0"));
        assertThat(installed).allMatch(ClusterResources::isEstablished);
    }
}
