package dev.fledge.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.testsupport.ApplyTolerantCrudDispatcher;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An unchanged object costs no API request; any change to the desired state or to the stored spec does. */
class ApplierTest {
    private final DesiredDeployment deployments =
            new DesiredDeployment(new ServerDefaults("fledge/model-server:0.1.0", 8080));
    private Instant now = Instant.parse("2026-11-28T12:00:00Z");
    private KubernetesMockServer server;
    private KubernetesClient client;
    private Applier applier;

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(
                new Context(), new MockWebServer(), new HashMap<>(), new ApplyTolerantCrudDispatcher(), false);
        server.init();
        client = server.createClient();
        applier = new Applier(client, new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now;
            }
        });
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    @Test
    void theSameDesiredStateOverTheObjectItLastWroteIsNotWrittenAgain() {
        Deployment first = applier.applyIfChanged(canary(2), null);
        int requests = server.getRequestCount();

        Deployment again = applier.applyIfChanged(canary(2), first);

        assertThat(server.getRequestCount()).isEqualTo(requests);
        assertThat(again).isSameAs(first);
    }

    @Test
    void aChangedDesiredStateIsWritten() {
        Deployment first = applier.applyIfChanged(canary(2), null);
        int requests = server.getRequestCount();

        Deployment scaled = applier.applyIfChanged(canary(3), first);

        assertThat(server.getRequestCount()).isGreaterThan(requests);
        assertThat(scaled.getSpec().getReplicas()).isEqualTo(3);
        assertThat(client.apps()
                        .deployments()
                        .inNamespace("ml")
                        .withName(first.getMetadata().getName())
                        .get()
                        .getSpec()
                        .getReplicas())
                .isEqualTo(3);
    }

    @Test
    void anObjectWhoseSpecSomeoneElseChangedIsWrittenBack() {
        Deployment first = applier.applyIfChanged(canary(2), null);
        Deployment edited = new DeploymentBuilder(first)
                .editMetadata()
                .withGeneration(
                        first.getMetadata().getGeneration() == null
                                ? 7L
                                : first.getMetadata().getGeneration() + 1)
                .endMetadata()
                .editSpec()
                .withReplicas(9)
                .endSpec()
                .build();
        int requests = server.getRequestCount();

        applier.applyIfChanged(canary(2), edited);

        assertThat(server.getRequestCount()).isGreaterThan(requests);
    }

    @Test
    void withoutACachedObjectItAlwaysWrites() {
        applier.applyIfChanged(canary(2), null);
        int requests = server.getRequestCount();

        applier.applyIfChanged(canary(2), null);

        assertThat(server.getRequestCount()).isGreaterThan(requests);
    }

    @Test
    void anUncachedObjectIsNotRewrittenWithinTheReassertPeriod() {
        Service first = applier.applyIfChanged(service("stable")).orElseThrow();
        int requests = server.getRequestCount();
        // the period is spread per object over its last quarter (Spread): never shorter than three quarters
        now = now.plus(Applier.REASSERT.multipliedBy(3).dividedBy(4)).minusSeconds(1);

        assertThat(applier.applyIfChanged(service("stable"))).isEmpty();
        assertThat(server.getRequestCount()).isEqualTo(requests);
        assertThat(first.getSpec().getSelector()).containsEntry(Labels.TRACK, "stable");
    }

    @Test
    void anUncachedObjectIsReassertedAfterThePeriodAndWrittenAtOnceWhenItChanges() {
        applier.applyIfChanged(service("stable"));
        now = now.plus(Applier.REASSERT);

        assertThat(applier.applyIfChanged(service("stable"))).isPresent();
        Service moved = applier.applyIfChanged(service("canary")).orElseThrow();

        assertThat(moved.getSpec().getSelector()).containsEntry(Labels.TRACK, "canary");
        assertThat(client.services()
                        .inNamespace("ml")
                        .withName("assistant")
                        .get()
                        .getSpec()
                        .getSelector())
                .containsEntry(Labels.TRACK, "canary");
    }

    @Test
    void anObjectTheReleaseDoesNotControlIsNeverTakenOver() {
        client.resource(new ServiceBuilder()
                        .withNewMetadata()
                        .withName("assistant")
                        .withNamespace("ml")
                        .endMetadata()
                        .withNewSpec()
                        .addToSelector("app", "payments")
                        .endSpec()
                        .build())
                .create();

        assertThatThrownBy(() -> applier.applyIfChanged(service("stable")))
                .isInstanceOf(Ownership.NotOwned.class)
                .hasMessageContaining("Service ml/assistant already exists")
                .satisfies(e -> assertThat(((Ownership.NotOwned) e).getCode()).isEqualTo(422));
        assertThat(client.services()
                        .inNamespace("ml")
                        .withName("assistant")
                        .get()
                        .getSpec()
                        .getSelector())
                .containsExactly(Map.entry("app", "payments"));
    }

    @Test
    void anObjectOfAnotherReleaseWithTheSameNameIsNeverTakenOver() {
        Deployment other = new DeploymentBuilder(canary(1))
                .editMetadata()
                .editFirstOwnerReference()
                .withUid("uid-other")
                .withName("assistant-old")
                .endOwnerReference()
                .endMetadata()
                .build();
        Deployment stored = client.resource(other).create();

        assertThatThrownBy(() -> applier.applyIfChanged(canary(2), stored))
                .isInstanceOf(Ownership.NotOwned.class)
                .hasMessageContaining("controlled by ModelRelease assistant-old");
        assertThatThrownBy(() -> applier.applyIfChanged(canary(2), null)).isInstanceOf(Ownership.NotOwned.class);
        assertThat(client.apps()
                        .deployments()
                        .inNamespace("ml")
                        .withName("assistant-canary")
                        .get()
                        .getSpec()
                        .getReplicas())
                .isEqualTo(1);
    }

    private Service service(String track) {
        return new DesiredService(new ServerDefaults("fledge/model-server:0.1.0", 8080))
                .build(release(), "assistant", track);
    }

    private static ModelRelease release() {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(new ObjectMetaBuilder()
                .withName("assistant")
                .withNamespace("ml")
                .withUid("uid-1")
                .build());
        mr.setSpec(new ModelReleaseSpec()
                .withModel(new ModelSpec()
                        .withName("assistant")
                        .withVersion("2.0.0")
                        .withUri("file:///m/2.0.0"))
                .withServer(new ServerSpec()));
        return mr;
    }

    private Deployment canary(int replicas) {
        var serving = new ServingConfig(new ServerDefaults("fledge/model-server:0.1.0", 8080)).of(release());
        return deployments.build(
                release(), "canary", ServingConfig.withVersion(serving, "2.0.0", "file:///m/2.0.0"), replicas);
    }
}
