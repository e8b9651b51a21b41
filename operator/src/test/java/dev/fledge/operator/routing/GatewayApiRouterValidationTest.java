package dev.fledge.operator.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.GatewayApiSpec;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.spec.ParentReference;
import dev.fledge.api.spec.Router;
import dev.fledge.api.spec.TrafficSpec;
import dev.fledge.operator.mock.MockApiServers;
import dev.fledge.operator.mock.MovableClock;
import dev.fledge.operator.workload.Applier;
import dev.fledge.operator.workload.DesiredService;
import dev.fledge.operator.workload.ServerDefaults;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A missing or forbidden Gateway is a spec problem the user must fix; a failed read is not, and is retried. */
class GatewayApiRouterValidationTest {
    private static final String PATH = "/apis/gateway.networking.k8s.io/v1/namespaces/ml/gateways/public-gw";
    private KubernetesMockServer server;
    private KubernetesClient client;
    private final MovableClock clock = MovableClock.stoppedAt(Instant.parse("2026-12-07T08:00:00Z"));
    private GatewayApiRouter router;

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(false);
        server.init();
        client = MockApiServers.clientWithoutRetries(server);
        ServerDefaults defaults = new ServerDefaults("fledge/model-server:test", 8080);
        Applier applier = new Applier(client, Clock.systemUTC());
        router = new GatewayApiRouter(
                client,
                applier,
                new DesiredService(defaults),
                defaults,
                new StaleRoutes(client, applier, Clock.systemUTC()),
                clock);
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    @Test
    void anExistingGatewayIsAccepted() {
        server.expect().get().withPath(PATH).andReturn(200, gateway()).always();

        assertThat(router.validate(release())).isEmpty();
    }

    private static Gateway gateway() {
        Gateway gw = new Gateway();
        gw.setMetadata(new ObjectMetaBuilder()
                .withName("public-gw")
                .withNamespace("ml")
                .build());
        return gw;
    }

    /**
     * The releases of a sync that name one Gateway read it once a minute, not once each: one found is taken as there
     * for {@link GatewayApiRouter#FOUND_FOR}, then read again.
     */
    @Test
    void aGatewayFoundIsNotReadAgainForAMinute() {
        server.expect().get().withPath(PATH).andReturn(200, gateway()).once();
        server.expect().get().withPath(PATH).andReturn(404, status(404)).always();
        assertThat(router.validate(release())).isEmpty();

        clock.advance(GatewayApiRouter.FOUND_FOR.minusSeconds(1));
        assertThat(router.validate(release()))
                .as("found 59 s ago: not read again")
                .isEmpty();

        clock.advance(Duration.ofSeconds(1));
        assertThat(router.validate(release()))
                .as("read again after a minute: gone now")
                .singleElement()
                .asString()
                .contains("Gateway ml/public-gw not found");
    }

    /** Only what was found is kept: a Gateway made after a check that did not find it is found at the next check. */
    @Test
    void aGatewayNotFoundIsReadAgainAtTheNextCheck() {
        server.expect().get().withPath(PATH).andReturn(404, status(404)).once();
        server.expect().get().withPath(PATH).andReturn(200, gateway()).always();

        assertThat(router.validate(release())).singleElement().asString().contains("not found");
        assertThat(router.validate(release())).isEmpty();
    }

    /** A name that is not a Kubernetes name is never put in a request (the spec check refuses it: RoutePolicy). */
    @Test
    void aParentRefThatIsNotAKubernetesNameIsNotRead() {
        ModelRelease mr = release();
        mr.getSpec()
                .getTraffic()
                .getGatewayAPI()
                .setParentRefs(
                        List.of(new ParentReference().withName("../../../api/v1/namespaces/kube-system/secrets/x")));

        assertThat(router.validate(mr)).isEmpty();
        assertThat(server.getRequestCount()).as("requests to the API server").isZero();
    }

    @Test
    void aMissingGatewayIsASpecError() {
        server.expect().get().withPath(PATH).andReturn(404, status(404)).always();

        assertThat(router.validate(release()))
                .singleElement()
                .asString()
                .contains("spec.traffic.gatewayAPI.parentRefs[0].name", "Gateway ml/public-gw not found");
    }

    @Test
    void aForbiddenGatewayIsASpecErrorNamingRbac() {
        server.expect().get().withPath(PATH).andReturn(403, status(403)).always();

        assertThat(router.validate(release()))
                .singleElement()
                .asString()
                .contains("spec.traffic.gatewayAPI.parentRefs[0].name", "may not read Gateway ml/public-gw (RBAC)");
    }

    @Test
    void aFailedReadIsRetriedNotReportedAsAnInvalidSpec() {
        server.expect().get().withPath(PATH).andReturn(503, status(503)).always();

        assertThatThrownBy(() -> router.validate(release())).isInstanceOf(KubernetesClientException.class);
    }

    private static Status status(int code) {
        return new StatusBuilder().withCode(code).withMessage("status " + code).build();
    }

    private static ModelRelease release() {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(new ObjectMetaBuilder()
                .withName("assistant")
                .withNamespace("ml")
                .build());
        mr.setSpec(new ModelReleaseSpec()
                .withModel(new ModelSpec()
                        .withName("assistant")
                        .withVersion("2.0.0")
                        .withUri("file:///m"))
                .withTraffic(new TrafficSpec()
                        .withRouter(Router.GATEWAY_API)
                        .withGatewayAPI(new GatewayApiSpec()
                                .withParentRefs(List.of(new ParentReference().withName("public-gw"))))));
        return mr;
    }
}
