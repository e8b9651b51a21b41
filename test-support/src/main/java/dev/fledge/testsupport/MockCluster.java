package dev.fledge.testsupport;

import dev.fledge.api.ModelRelease;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Fabric8's mock API server in CRUD mode with the SSA-tolerant dispatcher and the CRDs Fledge needs. */
public final class MockCluster implements AutoCloseable {
    /** Kept referenced: the mock server logs every request at INFO, which buries test output. */
    private static final Logger QUIET = quiet();

    private final KubernetesMockServer server;
    private final KubernetesClient client;

    public MockCluster() throws IOException {
        this(new ApplyTolerantCrudDispatcher());
    }

    /** With a dispatcher that extends the SSA-tolerant one (e.g. to answer a field selector the mock lacks). */
    public MockCluster(ApplyTolerantCrudDispatcher dispatcher) throws IOException {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        for (var type : List.of(ModelRelease.class, HTTPRoute.class, Gateway.class)) {
            var ctx = ResourceDefinitionContext.fromResourceType(type);
            server.expectCustomResource(new CustomResourceDefinitionContext.Builder()
                    .withGroup(ctx.getGroup())
                    .withVersion(ctx.getVersion())
                    .withKind(ctx.getKind())
                    .withPlural(ctx.getPlural())
                    .withScope("Namespaced")
                    .withStatusSubresource(type == HTTPRoute.class) // a Gateway writes it (GatewaySimulator)
                    .build());
        }
        server.init();
        client = server.createClient();
        try (InputStream in = new FileInputStream(
                Path.of("../helm/fledge/crds/modelreleases.fledge.dev-v1.yml").toFile())) {
            client.resource(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class))
                    .create();
        }
    }

    private static Logger quiet() {
        Logger logger = Logger.getLogger("io.fabric8.mockwebserver");
        logger.setLevel(Level.WARNING);
        return logger;
    }

    public KubernetesClient client() {
        return client;
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
