package dev.fledge.e2e.apiserver;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Applies manifests the way {@code kubectl apply --server-side} does, through Fabric8. */
public final class ClusterResources {

    public static final String FIELD_MANAGER = "fledge-e2e";

    private final KubernetesClient client;

    public ClusterResources(KubernetesClient client) {
        this.client = client;
    }

    /** Every object in the YAML file (multi-document files included). */
    public List<HasMetadata> load(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return new ArrayList<>(client.load(in).items());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Server-side applies the CRDs in these files and waits until each is Established. */
    public List<CustomResourceDefinition> installCrds(List<Path> files) {
        List<CustomResourceDefinition> installed = new ArrayList<>();
        for (Path file : files) {
            for (HasMetadata item : load(file)) {
                CustomResourceDefinition crd = (CustomResourceDefinition) item;
                client.resource(crd)
                        .fieldManager(FIELD_MANAGER)
                        .forceConflicts()
                        .serverSideApply();
                installed.add(awaitEstablished(crd.getMetadata().getName()));
            }
        }
        return installed;
    }

    public CustomResourceDefinition awaitEstablished(String crdName) {
        return client.apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName(crdName)
                .waitUntilCondition(ClusterResources::isEstablished, 60, TimeUnit.SECONDS);
    }

    public static boolean isEstablished(CustomResourceDefinition crd) {
        return crd != null
                && crd.getStatus() != null
                && crd.getStatus().getConditions() != null
                && crd.getStatus().getConditions().stream()
                        .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** Creates the namespace unless it exists. */
    public void ensureNamespace(String name) {
        client.resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .build())
                .fieldManager(FIELD_MANAGER)
                .serverSideApply();
    }

    /** {@code kubectl apply --server-side --dry-run=server}: validated, admitted, not stored. */
    public <T extends HasMetadata> T dryRunApply(T item, String defaultNamespace) {
        Resource<T> resource = item.getMetadata().getNamespace() == null && defaultNamespace != null
                ? client.resource(item).inNamespace(defaultNamespace)
                : client.resource(item);
        return resource.dryRun().fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
    }
}
