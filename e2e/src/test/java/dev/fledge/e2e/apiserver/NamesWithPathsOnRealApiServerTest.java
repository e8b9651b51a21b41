package dev.fledge.e2e.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A name a tenant writes into a release (a suite's ConfigMap, a webhook's Secret; a Gateway before its pattern) is read
 * by the operator as {@code .../namespaces/<release namespace>/<kind>/<name>}: a name that carries {@code ../} must not
 * reach an object of another namespace through this client and this API server (it finds nothing: checked 2026-12-07,
 * Fabric8 7.5.2 and kube-apiserver 1.34). The CRD refuses such names where it can (parentRefs); this guards the others
 * against a client or server upgrade that would resolve the dots.
 */
@Tag("apiserver")
class NamesWithPathsOnRealApiServerTest {
    private static KubernetesClient client;

    @BeforeAll
    static void start() {
        client = RealApiServer.shared().client();
        ClusterResources cluster = new ClusterResources(client);
        cluster.ensureNamespace("paths-tenant");
        cluster.ensureNamespace("paths-victim");
        client.resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("private")
                        .withNamespace("paths-victim")
                        .endMetadata()
                        .withData(Map.of("data", "of another tenant"))
                        .build())
                .createOr(existing -> existing.update());
    }

    @Test
    void aNameWithDotDotDoesNotReachAnotherNamespace() {
        assertThat(client.configMaps()
                        .inNamespace("paths-victim")
                        .withName("private")
                        .get())
                .as("control: the client may read it by its own namespace and name")
                .isNotNull();
        for (String name :
                new String[] {"../../paths-victim/configmaps/private", "..%2F..%2Fpaths-victim%2Fconfigmaps%2Fprivate"
                }) {
            Throwable refused = catchThrowable(() -> assertThat(client.configMaps()
                            .inNamespace("paths-tenant")
                            .withName(name)
                            .get())
                    .as("another namespace's ConfigMap, by the name %s", name)
                    .isNull());
            if (refused instanceof AssertionError e) {
                throw e;
            }
        }
    }
}
