package dev.fledge.e2e.apiserver;

import static dev.fledge.e2e.apiserver.JsonEdit.set;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.Phase;
import dev.fledge.e2e.rollout.ProductionReconciler;
import dev.fledge.e2e.rollout.TestReleases;
import dev.fledge.testsupport.InProcessOperator;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 on a real API server: the CRD schema keeps a ModelRelease from becoming a pod
 * (finding 1) or a hot loop (the interval floor), and the operator never takes over an object it
 * does not control (finding 7).
 */
@Tag("apiserver")
class TenantIsolationOnRealApiServerTest {

    static final String NAMESPACE = "tenant-isolation";
    static KubernetesClient client;
    static ModelReleaseFixtures fixtures;

    @BeforeAll
    static void installCrd() {
        client = RealApiServer.shared().client();
        var cluster = new ClusterResources(client);
        cluster.installCrds(List.of(RepoFiles.modelReleaseCrd()));
        cluster.ensureNamespace(NAMESPACE);
        fixtures = new ModelReleaseFixtures(client);
    }

    static GenericKubernetesResource release(String name, Consumer<ObjectNode> edit) {
        GenericKubernetesResource r = fixtures.validRelease(edit);
        r.getMetadata().setName(name);
        r.getMetadata().setNamespace(NAMESPACE);
        return r;
    }

    static KubernetesClientException strictCreateFails(GenericKubernetesResource r) {
        return catchThrowableOfType(
                KubernetesClientException.class,
                () -> client.resource(r)
                        .dryRun()
                        .fieldValidation(FieldValidateable.Validation.STRICT)
                        .create());
    }

    @Test
    void podFieldsOutsideTheAllowListAreRejectedWithTheirPathUnderStrictValidation() {
        var e = strictCreateFails(release(
                "escalate",
                set(
                        "/spec/server/template",
                        Map.of(
                                "spec",
                                Map.of(
                                        "serviceAccountName",
                                        "admin",
                                        "hostNetwork",
                                        true,
                                        "containers",
                                        List.of(Map.of(
                                                "name",
                                                "model-server",
                                                "securityContext",
                                                Map.of("privileged", true))))))));
        assertThat(e).isNotNull();
        assertThat(e.getMessage())
                .contains("unknown field \"spec.server.template.spec.serviceAccountName\"")
                .contains("unknown field \"spec.server.template.spec.hostNetwork\"")
                .contains("unknown field \"spec.server.template.spec.containers[0].securityContext\"");
    }

    @Test
    void withoutStrictValidationTheDisallowedFieldsAreDroppedNotStored() {
        GenericKubernetesResource stored = client.resource(release(
                        "pruned",
                        set(
                                "/spec/server/template",
                                Map.of("spec", Map.of("hostPID", true, "nodeSelector", Map.of("gpu", "a100"))))))
                .dryRun()
                .create();
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) ((Map<String, Object>)
                        ((Map<String, Object>) stored.getAdditionalProperties().get("spec")).get("server"))
                .get("template");
        assertThat(spec.toString()).contains("gpu=a100").doesNotContain("hostPID");
    }

    @Test
    void aVolumeOfAnUnsafeTypeIsRejectedByTheCelRule() {
        var e = strictCreateFails(release(
                "nfs",
                set(
                        "/spec/server/template",
                        Map.of(
                                "spec",
                                Map.of(
                                        "volumes",
                                        List.of(Map.of("name", "n", "nfs", Map.of("server", "x", "path", "/"))))))));
        assertThat(e.getMessage()).contains("spec.server.template.spec.volumes[0]");
        var pruned = catchThrowableOfType(
                KubernetesClientException.class,
                () -> client.resource(release(
                                "nfs-lax",
                                set(
                                        "/spec/server/template",
                                        Map.of(
                                                "spec",
                                                Map.of(
                                                        "volumes",
                                                        List.of(Map.of(
                                                                "name",
                                                                "n",
                                                                "nfs",
                                                                Map.of("server", "x", "path", "/"))))))))
                        .dryRun()
                        .create());
        assertThat(pruned.getMessage())
                .contains("spec.server.template.spec.volumes[0]")
                .contains("a volume needs exactly one of");
    }

    @Test
    void anAnalysisIntervalBelowFiveSecondsIsRejected() {
        var e = strictCreateFails(release("hot-loop", set("/spec/analysis/interval", "100ms")));
        assertThat(e.getMessage()).contains("spec.analysis.interval").contains("at least 5s");
    }

    @Test
    void theOperatorNeverTakesOverAServiceItDoesNotControl() {
        // the platform's own Service, in the tenant's namespace, named as the tenant's release
        Service payments = new ServiceBuilder()
                .withNewMetadata()
                .withName("payments")
                .withNamespace(NAMESPACE)
                .endMetadata()
                .withNewSpec()
                .addToSelector("app", "payments")
                .addNewPort()
                .withPort(80)
                .endPort()
                .endSpec()
                .build();
        client.resource(payments).create();
        try (var operator = InProcessOperator.watching(client, ProductionReconciler.withoutGates(client), NAMESPACE)) {
            client.resource(TestReleases.replicas(NAMESPACE, "payments", "1.0.0"))
                    .create();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                ModelRelease mr = client.resources(ModelRelease.class)
                        .inNamespace(NAMESPACE)
                        .withName("payments")
                        .get();
                assertThat(mr.getStatus()).isNotNull();
                assertThat(mr.getStatus().getPhase()).isEqualTo(Phase.INVALID);
                assertThat(mr.getStatus().getMessage())
                        .contains("ownership conflict: Service " + NAMESPACE + "/payments already exists");
            });
            Service after = client.services()
                    .inNamespace(NAMESPACE)
                    .withName("payments")
                    .get();
            assertThat(after.getSpec().getSelector()).containsExactly(Map.entry("app", "payments"));
            assertThat(after.getMetadata().getOwnerReferences()).isEmpty();
            assertThat(after.getMetadata().getManagedFields()).noneMatch(f -> "fledge-operator".equals(f.getManager()));
        }
    }
}
