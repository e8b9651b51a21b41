package dev.fledge.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The CRD as the Fabric8 generator wrote it during this build, with one fix: the generator sorts printer columns by
 * name, while {@code kubectl get} shows them in list order, so they are put back in the order declared on
 * {@link ModelRelease}.
 */
final class GeneratedCrd {
    static final String RESOURCE = "META-INF/fabric8/modelreleases.fledge.dev-v1.yml";
    static final String HEADER =
            "# Generated from the dev.fledge.api types by the Fabric8 CRD generator (make generate). Do not edit.\n";

    private GeneratedCrd() {}

    static CustomResourceDefinition load() throws IOException {
        try (InputStream in = GeneratedCrd.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " missing: the crd-generator-maven-plugin did not run");
            }
            CustomResourceDefinition crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
            List<String> declared = Arrays.stream(
                            ModelRelease.class.getAnnotationsByType(AdditionalPrinterColumn.class))
                    .map(AdditionalPrinterColumn::name)
                    .toList();
            crd.getSpec()
                    .getVersions()
                    .forEach(v -> v.getAdditionalPrinterColumns()
                            .sort(Comparator.comparingInt(
                                    (CustomResourceColumnDefinition c) -> declared.indexOf(c.getName()))));
            return crd;
        }
    }

    static String yaml() throws IOException {
        return HEADER + Serialization.asYaml(load());
    }
}
