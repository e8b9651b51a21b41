package dev.fledge.e2e.apiserver;

import static dev.fledge.e2e.apiserver.JsonEdit.remove;
import static dev.fledge.e2e.apiserver.JsonEdit.set;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real API server holds {@code spec.server.canary} and {@code spec.server.dynamicStableScale} to the CRD's rules.
 * Every case starts from {@code valid-modelrelease.yaml} moved to the gatewayAPI router with a valid canary capacity
 * (accepted), makes one change, and is accepted by a copy of the CRD without its constraints.
 */
@Tag("apiserver")
class CanaryCapacityCrdTest {
    private static final String NAMESPACE = "capacity";
    private static final String UNCONSTRAINED_GROUP = "unconstrained.fledge.dev";
    private static ClusterResources cluster;
    private static ModelReleaseFixtures fixtures;

    @BeforeAll
    static void installCrd() {
        var server = RealApiServer.shared();
        cluster = new ClusterResources(server.client());
        List<CustomResourceDefinition> crds = cluster.installCrds(List.of(RepoFiles.modelReleaseCrd()));
        var unconstrained = UnconstrainedCrd.of(
                crds.get(0), UNCONSTRAINED_GROUP, server.client().getKubernetesSerialization());
        server.client()
                .resource(unconstrained)
                .fieldManager(ClusterResources.FIELD_MANAGER)
                .forceConflicts()
                .serverSideApply();
        cluster.awaitEstablished(unconstrained.getMetadata().getName());
        cluster.ensureNamespace(NAMESPACE);
        fixtures = new ModelReleaseFixtures(server.client());
    }

    /** The valid release on the gatewayAPI router, with 4 replicas, matchTrafficWeight and dynamicStableScale. */
    static Consumer<ObjectNode> capacity() {
        return set("/spec/traffic", Map.of("gatewayAPI", Map.of("parentRefs", List.of(Map.of("name", "public-gw")))))
                .andThen(set("/spec/server/replicas", 4))
                .andThen(set("/spec/server/canary", Map.of("matchTrafficWeight", true)))
                .andThen(set("/spec/server/dynamicStableScale", Map.of("surge", 1)));
    }

    record Rejection(String behaviour, Consumer<ObjectNode> edit, String field, String detail) {
        @Override
        public String toString() {
            return behaviour;
        }
    }

    static Stream<Rejection> rejections() {
        return Stream.of(
                new Rejection(
                        "a canary with both a fixed size and matchTrafficWeight is rejected",
                        set("/spec/server/canary", Map.of("replicas", 2, "matchTrafficWeight", true)),
                        "spec.server.canary",
                        "set either replicas or matchTrafficWeight: true"),
                new Rejection(
                        "a canary with neither is rejected",
                        remove("/spec/server/dynamicStableScale")
                                .andThen(set("/spec/server/canary", Map.of("matchTrafficWeight", false))),
                        "spec.server.canary",
                        "set either replicas or matchTrafficWeight: true"),
                new Rejection(
                        "zero canary replicas are rejected",
                        remove("/spec/server/dynamicStableScale")
                                .andThen(set("/spec/server/canary", Map.of("replicas", 0))),
                        "spec.server.canary.replicas",
                        "should be greater than or equal to 1"),
                new Rejection(
                        "more canary replicas than replicas are rejected",
                        remove("/spec/server/dynamicStableScale")
                                .andThen(set("/spec/server/canary", Map.of("replicas", 5))),
                        "spec.server.canary",
                        "server.canary.replicas must not exceed server.replicas"),
                new Rejection(
                        "dynamicStableScale with a fixed canary is rejected",
                        set("/spec/server/canary", Map.of("replicas", 2)),
                        "spec.server.dynamicStableScale",
                        "needs server.canary.matchTrafficWeight: true"),
                new Rejection(
                        "a surge of zero is rejected",
                        set("/spec/server/dynamicStableScale", Map.of("surge", 0)),
                        "spec.server.dynamicStableScale.surge",
                        "should be greater than or equal to 1"),
                new Rejection(
                        "canary capacity under the replicas router is rejected",
                        set("/spec/traffic", Map.of("router", "replicas")),
                        "spec.server",
                        "need the gatewayAPI router"));
    }

    @Test
    void aGpuReleaseWithMatchTrafficWeightAndDynamicStableScaleIsAccepted() {
        GenericKubernetesResource accepted = cluster.dryRunApply(fixtures.validRelease(capacity()), NAMESPACE);
        assertThat(accepted.getMetadata().getName()).isEqualTo("sentiment");
        GenericKubernetesResource fixed = cluster.dryRunApply(
                fixtures.validRelease(capacity()
                        .andThen(remove("/spec/server/dynamicStableScale"))
                        .andThen(set("/spec/server/canary", Map.of("replicas", 4)))),
                NAMESPACE);
        assertThat(fixed.getMetadata().getName()).isEqualTo("sentiment");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void invalidCapacityIsRejectedAtItsField(Rejection rejection) {
        GenericKubernetesResource release = fixtures.validRelease(capacity().andThen(rejection.edit()));
        var error =
                catchThrowableOfType(KubernetesClientException.class, () -> cluster.dryRunApply(release, NAMESPACE));
        assertThat(error)
                .as("the API server must reject: " + rejection.behaviour())
                .isNotNull();
        assertThat(error.getCode()).isEqualTo(422);
        assertThat(violations(error))
                .as("the one violation in %s", error.getMessage())
                .singleElement()
                .satisfies(cause -> {
                    assertThat(cause.getField()).isEqualTo(rejection.field());
                    assertThat(cause.getMessage()).contains(rejection.detail());
                });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void sameReleaseIsAcceptedWhereTheCrdHasNoConstraints(Rejection rejection) {
        GenericKubernetesResource release = fixtures.validRelease(
                capacity().andThen(rejection.edit()).andThen(set("/apiVersion", UNCONSTRAINED_GROUP + "/v1alpha1")));
        assertThatCode(() -> cluster.dryRunApply(release, NAMESPACE))
                .as("control for: " + rejection.behaviour())
                .doesNotThrowAnyException();
    }

    private static List<StatusCause> violations(KubernetesClientException error) {
        return error.getStatus().getDetails().getCauses().stream()
                .filter(cause -> !"<nil>".equals(cause.getField()))
                .toList();
    }
}
