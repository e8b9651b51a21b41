package dev.fledge.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.ModelFormat;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.spec.ServerSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The pod template the operator builds around a serving configuration is pinned by a committed rendering
 * ({@value #GOLDEN}): a stable Deployment keeps the template it was promoted with only while its recorded
 * {@link DesiredDeployment#REVISION} differs from the operator's, so a change of the template without a new revision
 * would roll every stable Deployment to a template no gate has run. Regenerate after bumping the revision with
 * {@code -Dfledge.golden.update=true}.
 */
class OperatorTemplateRevisionTest {
    static final String GOLDEN = "src/test/resources/dev/fledge/operator/workload/operator-template.golden.json";
    /** Where a rendering that differs from the golden file is written, to compare. */
    static final String RENDERED = "target/operator-template.rendered.json";

    static final String UPSTREAM_GOLDEN =
            "src/test/resources/dev/fledge/operator/workload/operator-template-upstream.golden.json";
    static final String UPSTREAM_RENDERED = "target/operator-template-upstream.rendered.json";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    final DesiredDeployment builder =
            new DesiredDeployment(new ServerDefaults("registry.example/model-server:golden", 8080));
    final ServingConfig serving = new ServingConfig(new ServerDefaults("registry.example/model-server:golden", 8080));

    @Test
    void theOperatorBuiltPodTemplateChangesOnlyWithANewTemplateRevision() throws Exception {
        pinned(rendering(), GOLDEN, RENDERED);
    }

    /**
     * The same for a release of another server ({@code spec.server.upstream}) with its model on a claim: a kept
     * template of two containers is held to what this operator builds ({@code KeptUpstreamCheck}), so a change of
     * either container or the volumes must come with a new revision, or every such stable is rebuilt unannounced.
     */
    @Test
    void theOperatorBuiltPodTemplateOfAnotherServerChangesOnlyWithANewTemplateRevision() throws Exception {
        pinned(upstreamRendering(), UPSTREAM_GOLDEN, UPSTREAM_RENDERED);
    }

    private void pinned(ObjectNode rendering, String goldenPath, String renderedPath) throws Exception {
        // compared as parsed text: a tree made from objects holds a long where one read from text holds an int
        JsonNode now = JSON.readTree(JSON.writeValueAsString(rendering));
        Path golden = Path.of(goldenPath);
        JsonNode committed = Files.exists(golden) ? JSON.readTree(golden.toFile()) : JSON.createObjectNode();
        boolean sameRevision = committed.path("revision").asInt(-1) == DesiredDeployment.REVISION;
        boolean sameTemplates = now.get("templates").equals(committed.get("templates"));
        if (sameRevision && sameTemplates) {
            return;
        }
        Files.writeString(Path.of(renderedPath), JSON.writeValueAsString(now) + "\n", StandardCharsets.UTF_8);
        if (sameRevision) {
            fail("the pod template the operator builds changed (" + goldenPath + ", now " + renderedPath
                    + "): bump DesiredDeployment.REVISION,"
                    + " so that stable Deployments keep their template until their next promotion, and update the"
                    + " golden file (run this test with -Dfledge.golden.update=true)");
        }
        if (Boolean.getBoolean("fledge.golden.update")) {
            Files.writeString(golden, JSON.writeValueAsString(now) + "\n", StandardCharsets.UTF_8);
            return;
        }
        fail("DesiredDeployment.REVISION is " + DesiredDeployment.REVISION + ", " + goldenPath + " renders revision "
                + committed.path("revision") + ": update the golden file (run this test with"
                + " -Dfledge.golden.update=true)");
    }

    @Test
    void theTemplateRevisionNamesTheRevisionAndTheModelPodSettings() {
        assertThat(builder.templateRevision()).startsWith(DesiredDeployment.REVISION + "-");
        DesiredDeployment otherUser = new DesiredDeployment(
                new ServerDefaults("registry.example/model-server:golden", 8080),
                new PodHardening(java.util.Optional.of(2000L), java.util.List.of()));
        assertThat(otherUser.templateRevision())
                .as("other model-pod settings build another template")
                .isNotEqualTo(builder.templateRevision());
        assertThat(builder.build(
                                release(new ServerSpec()),
                                Labels.TRACK_STABLE,
                                serving.of(release(new ServerSpec())),
                                1)
                        .getMetadata()
                        .getAnnotations())
                .containsEntry(DesiredDeployment.TEMPLATE_REVISION, builder.templateRevision());
    }

    /** The stable pod template of a minimal spec and of one that sets every field a template may set. */
    private ObjectNode rendering() {
        ObjectNode out = JSON.createObjectNode();
        out.put("revision", DesiredDeployment.REVISION);
        ObjectNode templates = out.putObject("templates");
        templates.set("minimal", render(release(new ServerSpec())));
        ModelRelease full = release(new ServerSpec().withPort(9000).withImage("registry.example/custom:1"));
        full.getSpec().getModel().setFormat(ModelFormat.DJL);
        full.getSpec().getModel().setSha256("0".repeat(64));
        full.getSpec().getServer().setTemplate(userTemplate());
        templates.set("full", render(full));
        return out;
    }

    /** The stable pod template of a release of vLLM behind the sidecar, its model on a claim. */
    private ObjectNode upstreamRendering() {
        ObjectNode out = JSON.createObjectNode();
        out.put("revision", DesiredDeployment.REVISION);
        ModelRelease vllm = release(DesiredDeploymentTest.vllm(new dev.fledge.api.spec.UpstreamSpec()));
        vllm.getSpec().getModel().setUri("pvc://llama-weights/assistant/1.0.0");
        out.putObject("templates").set("upstream", render(vllm));
        return out;
    }

    private JsonNode render(ModelRelease mr) {
        PodTemplateSpec t = builder.build(mr, Labels.TRACK_STABLE, serving.of(mr), 2)
                .getSpec()
                .getTemplate();
        return JSON.valueToTree(t);
    }

    private static PodTemplateSpec userTemplate() {
        return new PodTemplateSpecBuilder()
                .withNewMetadata()
                .addToLabels("team", "search")
                .addToAnnotations("note", "golden")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName(ServerDefaults.CONTAINER)
                .addNewEnv()
                .withName("FLEDGE_SERVING_THREADS")
                .withValue("4")
                .endEnv()
                .addNewEnv()
                .withName("FLEDGE_MODEL_MAX_DOWNLOAD_SIZE")
                .withValue("1T")
                .endEnv()
                .withNewResources()
                .addToLimits("memory", new Quantity("2Gi"))
                .addToRequests("cpu", new Quantity("500m"))
                .endResources()
                .addNewVolumeMount()
                .withName("cache")
                .withMountPath("/var/cache/model")
                .endVolumeMount()
                .endContainer()
                .addNewVolume()
                .withName("cache")
                .withNewEmptyDir()
                .endEmptyDir()
                .endVolume()
                .addNewVolume()
                .withName("host")
                .withNewHostPath()
                .withPath("/etc")
                .endHostPath()
                .endVolume()
                .addToNodeSelector("pool", "gpu")
                .addNewToleration()
                .withKey("gpu")
                .withOperator("Exists")
                .endToleration()
                .endSpec()
                .build();
    }

    private static ModelRelease release(ServerSpec server) {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(new ObjectMetaBuilder()
                .withName("golden")
                .withNamespace("fledge-golden")
                .withUid("uid-golden")
                .build());
        ModelReleaseSpec spec = new ModelReleaseSpec();
        ModelSpec model = new ModelSpec();
        model.setName("golden-model");
        model.setVersion("1.0.0");
        model.setUri("s3://models/golden/1.0.0");
        spec.setModel(model);
        spec.setServer(server);
        mr.setSpec(spec);
        return mr;
    }
}
