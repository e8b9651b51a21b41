package dev.fledge.e2e.apiserver;

import static dev.fledge.e2e.apiserver.JsonEdit.set;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Spec and status of a ModelRelease have separate owners on a real API server: GitOps
 * applies the spec, the operator applies the status through the status subresource, both
 * with server-side apply, and neither write can change the other half.
 */
@Tag("apiserver")
class ModelReleaseStatusSubresourceTest {

    private static final String NAMESPACE = "subresources";
    private static final String GITOPS = "gitops";
    private static final String OPERATOR = "fledge-operator";

    private static KubernetesClient client;
    private static ModelReleaseFixtures fixtures;

    @BeforeAll
    static void installCrd() {
        client = RealApiServer.shared().client();
        var cluster = new ClusterResources(client);
        cluster.installCrds(List.of(RepoFiles.modelReleaseCrd()));
        cluster.ensureNamespace(NAMESPACE);
        fixtures = new ModelReleaseFixtures(client);
    }

    @Test
    void statusWrittenByTheOperatorSurvivesTheNextSpecApply() {
        applySpec(release("survives"));
        applyStatus(statusOnly("survives", Map.of("phase", "Progressing", "stage", "internal")));

        applySpec(release("survives", set("/spec/model/version", "2.1.0")));

        GenericKubernetesResource stored = get("survives");
        assertThat(stored.<String>get("spec", "model", "version")).isEqualTo("2.1.0");
        assertThat(stored.<String>get("status", "phase")).isEqualTo("Progressing");
        assertThat(stored.getMetadata().getGeneration()).isEqualTo(2L);
    }

    @Test
    void statusSentWithTheSpecIsIgnored() {
        applySpec(release("no-status", set("/status", Map.of("phase", "Promoted"))));

        assertThat(get("no-status").getAdditionalProperties()).doesNotContainKey("status");
    }

    @Test
    void specSentToTheStatusSubresourceIsIgnoredAndKeepsTheGeneration() {
        applySpec(release("spec-kept"));

        applyStatus(release(
                "spec-kept", set("/spec/model/version", "9.9.9").andThen(set("/status", Map.of("phase", "Pending")))));

        GenericKubernetesResource stored = get("spec-kept");
        assertThat(stored.<String>get("spec", "model", "version")).isEqualTo("2.0.0");
        assertThat(stored.<String>get("status", "phase")).isEqualTo("Pending");
        assertThat(stored.getMetadata().getGeneration()).isEqualTo(1L);
    }

    @Test
    void theRecordedStableServingConfigurationKeepsItsPodTemplate() {
        applySpec(release("stable-kept"));
        Map<String, Object> template = Map.of(
                "metadata", Map.of("labels", Map.of("team", "ml")),
                "spec", Map.of("nodeSelector", Map.of("gpu", "a100")));

        applyStatus(statusOnly(
                "stable-kept",
                Map.of(
                        "phase",
                        "Promoted",
                        "stable",
                        Map.of(
                                "version",
                                "2.0.0",
                                "image",
                                "fledge/model-server:0.2.0",
                                "port",
                                8080,
                                "template",
                                template,
                                "configHash",
                                "0123456789abcdef"))));

        GenericKubernetesResource stored = get("stable-kept");
        assertThat(stored.<String>get("status", "stable", "image")).isEqualTo("fledge/model-server:0.2.0");
        assertThat(stored.<String>get("status", "stable", "template", "spec", "nodeSelector", "gpu"))
                .isEqualTo("a100");
        assertThat(stored.<String>get("status", "stable", "template", "metadata", "labels", "team"))
                .isEqualTo("ml");
    }

    @Test
    void statusWithAnUnknownPhaseIsRejected() {
        applySpec(release("bad-phase"));

        var error = catchThrowable(() -> applyStatus(statusOnly("bad-phase", Map.of("phase", "Done"))));

        assertThat(error).hasMessageContaining("status.phase: Unsupported value: \"Done\"");
    }

    private GenericKubernetesResource release(String name) {
        return release(name, tree -> {});
    }

    private GenericKubernetesResource release(String name, Consumer<ObjectNode> edit) {
        return fixtures.validRelease(set("/metadata/name", name).andThen(edit));
    }

    private GenericKubernetesResource statusOnly(String name, Map<String, Object> status) {
        var applyConfiguration = new GenericKubernetesResource();
        applyConfiguration.setApiVersion("fledge.dev/v1alpha1");
        applyConfiguration.setKind("ModelRelease");
        applyConfiguration.setMetadata(new ObjectMetaBuilder().withName(name).build());
        applyConfiguration.setAdditionalProperty("status", status);
        return applyConfiguration;
    }

    private void applySpec(GenericKubernetesResource release) {
        client.resource(release).inNamespace(NAMESPACE).fieldManager(GITOPS).serverSideApply();
    }

    private void applyStatus(GenericKubernetesResource release) {
        var apply = new PatchContext.Builder()
                .withPatchType(PatchType.SERVER_SIDE_APPLY)
                .withFieldManager(OPERATOR)
                .withForce(true)
                .build();
        client.resource(release).inNamespace(NAMESPACE).subresource("status").patch(apply);
    }

    private GenericKubernetesResource get(String name) {
        return client.genericKubernetesResources("fledge.dev/v1alpha1", "ModelRelease")
                .inNamespace(NAMESPACE)
                .withName(name)
                .get();
    }
}
