package dev.fledge.e2e.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The committed ModelRelease CRD (helm/fledge/crds/) installs on a real API server. */
@Tag("apiserver")
class ModelReleaseCrdTest {

    @Test
    void committedCrdAppliesCleanlyAndServesModelReleasesWithAStatusSubresource() {
        var cluster = new ClusterResources(RealApiServer.shared().client());

        List<CustomResourceDefinition> installed = cluster.installCrds(List.of(RepoFiles.modelReleaseCrd()));

        assertThat(installed).singleElement().satisfies(crd -> {
            assertThat(crd.getMetadata().getName()).isEqualTo("modelreleases.fledge.dev");
            assertThat(crd.getSpec().getNames().getKind()).isEqualTo("ModelRelease");
            assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
            assertThat(ClusterResources.isEstablished(crd)).isTrue();
            CustomResourceDefinitionVersion served = crd.getSpec().getVersions().stream()
                    .filter(CustomResourceDefinitionVersion::getServed)
                    .findFirst()
                    .orElseThrow();
            assertThat(served.getSubresources().getStatus()).isNotNull();
        });
    }
}
