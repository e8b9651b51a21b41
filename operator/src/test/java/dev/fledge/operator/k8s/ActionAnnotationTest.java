package dev.fledge.operator.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import dev.fledge.operator.mock.MockApiServers;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The annotation is removed by one PATCH of the release as the operator holds it: Fabric8's {@code withName(..).patch}
 * reads the object first (a GET per removal, for nothing: the patch tests the value itself).
 */
class ActionAnnotationTest {
    private static final String PATH = "/apis/fledge.dev/v1alpha1/namespaces/ml/modelreleases/assistant";
    private KubernetesMockServer server;
    private KubernetesClient client;

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(false);
        server.init();
        client = MockApiServers.clientWithoutRetries(server);
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    @Test
    void removesTheAnnotationWithOnePatchAndNoRead() throws Exception {
        ModelRelease mr = release();
        server.expect().patch().withPath(PATH).andReturn(200, mr).once();

        assertThat(new ActionAnnotation(client).remove(mr, "promote")).isTrue();

        assertThat(server.getRequestCount()).as("requests to the API server").isEqualTo(1);
        RecordedRequest patch = server.takeRequest();
        assertThat(patch.getMethod()).isEqualTo("PATCH");
        assertThat(new String(patch.getBody().getBytes(), StandardCharsets.UTF_8))
                .contains(
                        "{\"op\":\"test\",\"path\":\"/metadata/annotations/fledge.dev~1action\",\"value\":\"promote\"}");
    }

    private static ModelRelease release() {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(new ObjectMetaBuilder()
                .withName("assistant")
                .withNamespace("ml")
                .withResourceVersion("7")
                .withAnnotations(Map.of("fledge.dev/action", "promote"))
                .build());
        return mr;
    }
}
