package dev.fledge.e2e.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every numeric bound of the generated CRD holds on the real API server at its edges, zero included: the cases come
 * from the CRD's own openAPIV3Schema (each spec property with a minimum or maximum), so a new bounded field is covered
 * without a new case. At an inclusive bound the bound itself is accepted and the next value out is rejected; at an
 * exclusive one the bound is rejected and the next value in is accepted.
 */
@Tag("apiserver")
class CrdBoundsOnRealApiServerTest {
    private static final String NAMESPACE = "bounds";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ClusterResources cluster;
    private static ModelReleaseFixtures fixtures;

    @BeforeAll
    static void installCrd() {
        var server = RealApiServer.shared();
        cluster = new ClusterResources(server.client());
        cluster.installCrds(List.of(RepoFiles.modelReleaseCrd()));
        cluster.ensureNamespace(NAMESPACE);
        fixtures = new ModelReleaseFixtures(server.client());
    }

    /** One value tried at one field: {@code pointer} into the object, and whether the server must accept it. */
    record Edge(String pointer, BigDecimal value, boolean accepted, String why) {
        String field() {
            return fieldPath(pointer);
        }

        @Override
        public String toString() {
            return field() + " = " + value.toPlainString() + (accepted ? " is accepted" : " is rejected") + " (" + why
                    + ")";
        }
    }

    static Stream<Edge> edges() {
        List<Edge> edges = new ArrayList<>();
        walk(schema().path("properties").path("spec"), "/spec", edges);
        return edges.stream();
    }

    @Test
    void theSchemaHasBoundedFieldsToTry() {
        assertThat(edges().map(Edge::field).distinct())
                .as("bounded fields found in the CRD")
                .contains("spec.server.replicas", "spec.server.port", "spec.analysis.metrics[0].failureLimit");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("edges")
    void everyBoundHoldsAtItsEdges(Edge edge) {
        GenericKubernetesResource release = fixtures.validRelease(setCreating(edge.pointer(), edge.value()));

        var error =
                catchThrowableOfType(KubernetesClientException.class, () -> cluster.dryRunApply(release, NAMESPACE));

        List<StatusCause> atField =
                error == null || error.getStatus() == null || error.getStatus().getDetails() == null
                        ? List.of()
                        : error.getStatus().getDetails().getCauses().stream()
                                .filter(c -> edge.field().equals(c.getField()))
                                // the schema's own bound, not a rule relating two fields (tolerable < max harm rate)
                                .filter(c -> c.getMessage().contains("should be greater than")
                                        || c.getMessage().contains("should be less than"))
                                .toList();
        if (edge.accepted()) {
            assertThat(atField)
                    .as("no bound violation at %s in %s", edge.field(), error == null ? "-" : error.getMessage())
                    .isEmpty();
        } else {
            assertThat(error).as("the API server must reject " + edge).isNotNull();
            assertThat(atField)
                    .as("a bound violation at %s in %s", edge.field(), error.getMessage())
                    .isNotEmpty();
        }
    }

    private static JsonNode schema() {
        CustomResourceDefinition crd = RealApiServer.shared()
                .client()
                .getKubernetesSerialization()
                .unmarshal(read(), CustomResourceDefinition.class);
        return JSON.valueToTree(crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema());
    }

    private static String read() {
        try {
            return java.nio.file.Files.readString(RepoFiles.modelReleaseCrd());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void walk(JsonNode prop, String pointer, List<Edge> out) {
        String type = prop.path("type").asText();
        if ("array".equals(type)) {
            walk(prop.path("items"), pointer + "/0", out);
            return;
        }
        prop.path("properties").fields().forEachRemaining(f -> walk(f.getValue(), pointer + "/" + f.getKey(), out));
        if (!"integer".equals(type) && !"number".equals(type)) {
            return;
        }
        BigDecimal step = "integer".equals(type) ? BigDecimal.ONE : new BigDecimal("0.001");
        if (prop.has("minimum")) {
            BigDecimal min = prop.get("minimum").decimalValue();
            boolean exclusive = prop.path("exclusiveMinimum").asBoolean(false);
            out.add(new Edge(pointer, min, !exclusive, exclusive ? "exclusive minimum" : "the minimum"));
            out.add(
                    exclusive
                            ? new Edge(pointer, min.add(step), true, "just above the exclusive minimum")
                            : new Edge(pointer, min.subtract(step), false, "just below the minimum"));
        }
        if (prop.has("maximum")) {
            BigDecimal max = prop.get("maximum").decimalValue();
            boolean exclusive = prop.path("exclusiveMaximum").asBoolean(false);
            out.add(new Edge(pointer, max, !exclusive, exclusive ? "exclusive maximum" : "the maximum"));
            out.add(
                    exclusive
                            ? new Edge(pointer, max.subtract(step), true, "just below the exclusive maximum")
                            : new Edge(pointer, max.add(step), false, "just above the maximum"));
        }
    }

    /** Sets the value at the pointer, creating missing objects (and one-element arrays) on the way. */
    private static Consumer<ObjectNode> setCreating(String pointer, BigDecimal value) {
        return root -> {
            String[] parts = pointer.substring(1).split("/");
            JsonNode node = root;
            for (int i = 0; i < parts.length - 1; i++) {
                boolean nextIsIndex = parts[i + 1].matches("\\d+");
                JsonNode child = node.isArray() ? node.path(Integer.parseInt(parts[i])) : node.path(parts[i]);
                if (child.isMissingNode() || child.isNull()) {
                    child = nextIsIndex ? JSON.createArrayNode() : JSON.createObjectNode();
                    if (node instanceof ArrayNode a) {
                        a.add(child);
                    } else {
                        ((ObjectNode) node).set(parts[i], child);
                    }
                }
                node = child;
            }
            String last = parts[parts.length - 1];
            JsonNode v = value.scale() <= 0 || value.stripTrailingZeros().scale() <= 0
                    ? JSON.getNodeFactory().numberNode(value.toBigInteger())
                    : JSON.getNodeFactory().numberNode(value);
            if (node instanceof ArrayNode a) {
                int i = Integer.parseInt(last);
                if (a.size() > i) {
                    a.set(i, v);
                } else {
                    a.add(v);
                }
            } else {
                ((ObjectNode) node).set(last, v);
            }
        };
    }

    /** {@code /spec/analysis/metrics/0/failureLimit} -> {@code spec.analysis.metrics[0].failureLimit}. */
    static String fieldPath(String pointer) {
        StringBuilder b = new StringBuilder();
        for (String part : pointer.substring(1).split("/")) {
            if (part.matches("\\d+")) {
                b.append('[').append(part).append(']');
            } else {
                b.append(b.isEmpty() ? "" : ".").append(part);
            }
        }
        return b.toString();
    }
}
