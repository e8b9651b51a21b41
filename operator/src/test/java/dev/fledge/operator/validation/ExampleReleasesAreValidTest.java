package dev.fledge.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.MetricSpec;
import dev.fledge.api.status.ServingStatus;
import dev.fledge.operator.gates.metric.BuiltInQueries;
import dev.fledge.operator.gates.safety.WordListLiveOutputs;
import dev.fledge.operator.workload.DesiredDeployment;
import dev.fledge.operator.workload.ServerDefaults;
import dev.fledge.operator.workload.ServingConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ModelReleases of examples/ pass the operator's own validation (the CRD schema is checked elsewhere), and the
 * quick start's model pods get its model archive: the ConfigMap mounted at /models, the URI and the sha256.
 */
class ExampleReleasesAreValidTest {
    static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();

    static Stream<Path> releases() throws IOException {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            return files
                    .filter(p -> p.toString().endsWith(".yaml"))
                    .filter(p -> {
                        try {
                            return Files.readString(p).contains("\nkind: ModelRelease\n");
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .sorted()
                    .toList()
                    .stream();
        }
    }

    /** The file's ModelRelease, also from a file of several documents (a Secret beside it, say). */
    static ModelRelease load(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file);
                MappingIterator<JsonNode> docs = new ObjectMapper(new YAMLFactory())
                        .readerFor(JsonNode.class)
                        .readValues(in)) {
            for (JsonNode doc : docs.readAll()) {
                if ("ModelRelease".equals(doc.path("kind").asText())) {
                    ModelRelease mr = Serialization.jsonMapper().convertValue(doc, ModelRelease.class);
                    mr.getMetadata().setNamespace("ml");
                    return mr;
                }
            }
        }
        throw new IllegalArgumentException(file + " holds no ModelRelease");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("releases")
    void exampleReleasePassesTheOperatorsValidation(Path file) throws IOException {
        assertThat(new SpecValidator().validate(load(file)))
                .as("%s", file.getFileName())
                .isEmpty();
    }

    /**
     * Issue 15, finding 9: an example's own error-rate PromQL that counts refusals ({@code model_limit},
     * {@code rejected}) must weigh them against the stable version's share as the built-in query does, else a flood of
     * requests every server refuses fails any canary. It is the built-in text (whitespace aside, which PromQL ignores
     * here); {@code RefusedRequestsOnRealPrometheusTest} runs full.yaml's on a real Prometheus.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("releases")
    void anExamplesOwnQueryThatCountsRefusalsWeighsThemAgainstTheStableAsTheBuiltInDoes(Path file) throws IOException {
        var analysis = load(file).getSpec().getAnalysis();
        if (analysis == null || analysis.getMetrics() == null) {
            return;
        }
        for (MetricSpec metric : analysis.getMetrics()) {
            String query = metric.getQuery();
            if (query != null && (query.contains("model_limit") || query.contains("rejected"))) {
                assertThat(query.replaceAll("\\s+", ""))
                        .as(
                                "%s: metric %s counts refusals; it must weigh them as template: error-rate does",
                                file.getFileName(), metric.getName())
                        .isEqualTo(BuiltInQueries.ERROR_RATE.replaceAll("\\s+", ""));
            }
        }
    }

    /**
     * Issue 17 part 3: a Llama Guard-style classifier of live outputs is the documented default for online safety, so
     * no example with {@code online: true} leaves its live outputs to the word list (the warning a tenant copying it
     * would get).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("releases")
    void noExampleLeavesOnlineSafetyToTheWordList(Path file) throws IOException {
        assertThat(WordListLiveOutputs.warning(load(file)))
                .as("%s", file.getFileName())
                .isEmpty();
    }

    /**
     * Review of 2026-12-01: full.yaml is what a tenant copies for a shared Gateway, so it must pass where the operator
     * limits Gateways and hostnames (docs/security.md "Shared Gateways"): every route, each audience's own included,
     * names its own hostnames.
     */
    @Test
    void fullYamlPassesUnderTheOperatorsGatewayAndHostnameLimits() throws IOException {
        RoutePolicy limits = new RoutePolicy(
                List.of(RoutePolicy.OWN_NAMESPACE + "/*"), List.of("assistant.example.com", "*.assistant.example.com"));
        SpecValidator validator = new SpecValidator(PodTemplatePolicy.anyImage(), limits, Duration.ofSeconds(5));
        assertThat(validator.validate(load(EXAMPLES.resolve("full.yaml")))).isEmpty();
    }

    @Test
    void fullYamlShowsItsOwnErrorRateQuery() throws IOException {
        assertThat(load(EXAMPLES.resolve("full.yaml")).getSpec().getAnalysis().getMetrics())
                .as("full.yaml shows every field, the query of a metric included")
                .anySatisfy(m -> assertThat(m.getQuery()).contains("model_limit"));
    }

    @Test
    void quickstartModelPodsReadTheArchiveFromTheMountedConfigMap() throws IOException {
        ModelRelease mr = load(EXAMPLES.resolve("quickstart.yaml"));
        var defaults = new ServerDefaults("fledge/model-server:0.1.0", 8080);
        ServingStatus serving = new ServingConfig(defaults).of(mr);
        Deployment d = new DesiredDeployment(defaults).build(mr, "stable", serving, 2);
        var pod = d.getSpec().getTemplate().getSpec();
        Container c = pod.getContainers().get(0);
        String uri = env(c, "FLEDGE_MODEL_URI");
        assertThat(uri).startsWith("file:///models/").endsWith(".zip");
        assertThat(env(c, "FLEDGE_MODEL_SHA256"))
                .isEqualTo(mr.getSpec().getModel().getSha256());
        var mount = c.getVolumeMounts().stream()
                .filter(m -> "/models".equals(m.getMountPath()))
                .findFirst()
                .orElseThrow();
        assertThat(pod.getVolumes()).anySatisfy(v -> {
            assertThat(v.getName()).isEqualTo(mount.getName());
            assertThat(v.getConfigMap().getName()).isEqualTo("assistant-models");
        });
    }

    private static String env(Container c, String name) {
        return c.getEnv().stream()
                .filter(e -> name.equals(e.getName()))
                .map(EnvVar::getValue)
                .findFirst()
                .orElse(null);
    }
}
