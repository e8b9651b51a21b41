package dev.fledge.operator.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The canary handover of the gatewayAPI router, where the users follow the HTTPRoute a Gateway has accepted: a route
 * write that fails, a Gateway that has not accepted or rejects the route away from the canary, a stale route.
 */
class CanaryHandoverThroughRoutesOnMockApiServerTest extends CanaryHandoverFixture {
    // --- HIGH 1: a new version mid-rollout

    @Test
    void aNewVersionMidRolloutNeverReachesUsersUngatedWhenTheRouteWriteFails() {
        client.resource(Releases.gatewayApi(NAME, "1.0.0")).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED);
        edit(r -> {
            setVersion(r, "2.0.0");
            r.getSpec().getStages().get(2).setStepDuration("1h"); // stays at 25%
        });
        awaitStatus(s -> "public".equals(s.getStage()) && s.getCanaryWeight() == 25);
        startSampling(this::routeToCanary);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> samples.stream()
                        .anyMatch(s -> "2.0.0".equals(s.canaryVersion())
                                && !s.toCanary().isEmpty()));

        api.failNext(1, 500, r -> "PATCH".equals(r.method()) && r.path().endsWith("/httproutes/" + NAME));
        edit(r -> {
            setVersion(r, "3.0.0");
            r.getSpec().setServer(new ServerSpec().withImage("fledge/model-server:0.3.0"));
            r.getSpec().setPaused(true); // the new canary stays in preflight: no route may send it anything
        });

        awaitStatus(s -> "3.0.0".equals(s.getCanaryVersion()));
        await().atMost(Duration.ofSeconds(20)).until(() -> "3.0.0".equals(canaryVersion()));
        assertThat(api.failuresServed()).as("the route write failed once").isEqualTo(1);
        pause(Duration.ofMillis(300));
        assertNoRouteToTheNewCanary("3.0.0");
    }

    // --- a route write counts only once the Gateway accepted it (review HIGH 2, MED-HIGH 3)

    @Test
    void aNewVersionMidRolloutKeepsTheOldCanaryTemplateWhileTheGatewayHasNotAcceptedTheRouteAwayFromIt() {
        client.resource(Releases.gatewayApi(NAME, "1.0.0")).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED);
        edit(r -> {
            setVersion(r, "2.0.0");
            r.getSpec().getStages().get(2).setStepDuration("1h"); // stays at 25%
        });
        awaitStatus(s -> "public".equals(s.getStage()) && s.getCanaryWeight() == 25);
        await().atMost(Duration.ofSeconds(10)).until(() -> !servedToCanary().isEmpty());

        operator.gateway().hold(); // the Gateway is slow: it keeps serving the route it accepted last
        startSampling(this::servedToCanary);
        edit(r -> {
            setVersion(r, "3.0.0");
            r.getSpec().setPaused(true);
        });
        awaitStatus(s -> "3.0.0".equals(s.getCanaryVersion()));
        await().atMost(Duration.ofSeconds(10)).until(() -> routeToCanary().isEmpty()); // written, not accepted
        awaitStatus(s -> routeNotAccepted(s).isPresent());
        pause(Duration.ofSeconds(3));
        assertThat(canaryVersion()).as("the canary keeps its template").isEqualTo("2.0.0");
        assertThat(servedToCanary())
                .as("the Gateway still sends the canary requests")
                .isNotEmpty();
        assertThat(routeNotAccepted(status()))
                .as("the status says what the release waits for")
                .hasValueSatisfying(c -> {
                    assertThat(c.getReason()).isEqualTo("WaitingForGateway");
                    assertThat(c.getMessage())
                            .contains("waiting for the Gateway to accept HTTPRoute " + NAME)
                            .contains("parent " + Releases.NS + "/public-gw");
                });
        assertThat(warnings("RouteDrift"))
                .as("a route not yet accepted is no drift")
                .isEmpty();
        assertThat(warnings("RouteNotAccepted"))
                .as("no Warning while the wait is short")
                .isEmpty();

        clock.advance(Duration.ofSeconds(31)); // the Gateway has not answered for more than 30 s
        poke();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !warnings("RouteNotAccepted").isEmpty());
        pause(Duration.ofSeconds(5)); // passes every 2 s meanwhile
        assertThat(warnings("RouteNotAccepted"))
                .as("one Warning per wait, naming the route and the parent")
                .singleElement()
                .satisfies(m -> assertThat(m)
                        .contains("HTTPRoute " + NAME)
                        .contains("parent " + Releases.NS + "/public-gw")
                        .contains("not accepted yet"));
        assertThat(canaryVersion()).isEqualTo("2.0.0");

        operator.gateway().accept();
        await().atMost(Duration.ofSeconds(30)).until(() -> "3.0.0".equals(canaryVersion()));
        awaitStatus(s -> routeNotAccepted(s).isEmpty());
        pause(Duration.ofMillis(300));
        assertNoRouteToTheNewCanary("3.0.0");
        assertThat(warnings("RouteDrift")).isEmpty();
    }

    @Test
    void aRollbackMovesUsersAtOnceButARouteTheGatewayRejectsKeepsTheCanaryPodsAndSaysWhy() {
        client.resource(Releases.gatewayApi(NAME, "1.0.0")).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED);
        edit(r -> {
            setVersion(r, "2.0.0");
            r.getSpec().getStages().get(2).setStepDuration("1h");
        });
        awaitStatus(s -> "public".equals(s.getStage()) && s.getCanaryWeight() == 25);
        await().atMost(Duration.ofSeconds(10)).until(() -> !servedToCanary().isEmpty());

        operator.gateway().reject("NotAllowedByListeners");
        edit(r -> r.getMetadata().getAnnotations().put(Labels.ACTION, "abort"));
        awaitStatus(s -> s.getPhase() == Phase.ROLLED_BACK);
        // the rollback does not wait for the Gateway: the route to stable is written at once
        await().atMost(Duration.ofSeconds(10)).until(() -> routeToCanary().isEmpty());
        awaitStatus(s -> routeNotAccepted(s)
                .filter(c -> "RouteRefused".equals(c.getReason()))
                .isPresent());
        assertThat(routeNotAccepted(status()).orElseThrow().getMessage())
                .contains("Accepted=False")
                .contains("NotAllowedByListeners");
        clock.advance(Duration.ofMinutes(5));
        poke();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !warnings("RouteNotAccepted").isEmpty());
        pause(Duration.ofSeconds(3));
        assertThat(servedToCanary())
                .as("the Gateway still sends the canary requests")
                .isNotEmpty();
        assertThat(replicas(NAME + "-canary")).as("the canary keeps its pods").isEqualTo(2);
        assertThat(status().getCanaryScaleDownAt()).as("no drain clock").isNull();
        assertThat(warnings("RouteNotAccepted"))
                .singleElement()
                .satisfies(m -> assertThat(m).contains("Accepted=False").contains("NotAllowedByListeners"));

        operator.gateway().accept(); // the drain goes on once the Gateway takes the route (delay 0 s here)
        await().atMost(Duration.ofSeconds(30)).until(() -> replicas(NAME + "-canary") == 0);
        awaitStatus(s -> routeNotAccepted(s).isEmpty());
    }

    // --- LOW 10: the drain clock and the scale-down

    @Test
    void theDrainClockWaitsWhileAStaleRouteStillSendsTheCanaryRequests() {
        client.resource(Releases.gatewayApi(NAME, "1.0.0")).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED);
        edit(r -> {
            setVersion(r, "2.0.0");
            r.getSpec().getStages().get(2).setStepDuration("1h");
        });
        awaitStatus(s -> "public".equals(s.getStage()) && s.getCanaryWeight() == 25);

        // the old route cannot be deleted for a while: it keeps its 25% on the canary
        api.failNext(1000, 500, r -> "DELETE".equals(r.method()) && r.path().endsWith("/httproutes/" + NAME));
        edit(r -> {
            r.getSpec().getTraffic().getGatewayAPI().setHttpRoute(NAME + "-v2");
            r.getMetadata().getAnnotations().put(Labels.ACTION, "abort");
        });
        awaitStatus(s -> s.getPhase() == Phase.ROLLED_BACK);
        pause(Duration.ofSeconds(2));
        assertThat(routeBackends(NAME)).contains(NAME + "-canary=25");
        assertThat(status().getCanaryScaleDownAt())
                .as("a route still sends the canary requests: no drain clock")
                .isNull();
        assertThat(replicas(NAME + "-canary")).isEqualTo(2);
    }

    @Test
    void aPublicStepsTimeCountsOnlyFromWhenTheGatewayAcceptedItsRoute() {
        at50WaitingForTheGateway(); // from here the Gateway keeps serving the 25% route
        clock.advance(Duration.ofMinutes(5)); // five step durations, the 50% route still not accepted
        poke();
        pause(Duration.ofSeconds(3));
        assertThat(status().getCanaryWeight())
                .as("a step whose route no Gateway serves yet has served nobody: it does not pass")
                .isEqualTo(50);
        assertThat(status().getStepWaitingSince()).as("not started").isNotNull();
        assertThat(status().getMessage()).contains("waiting for the routes");

        operator.gateway().accept();
        // the pass that sees the route accepted starts the step (aStepStartsInTheStatusWriteThatSaysItsRouteIsAccepted)
        awaitStatus(s -> routeNotAccepted(s).isEmpty() && s.getStepWaitingSince() == null);
        clock.advance(Duration.ofSeconds(40));
        poke();
        pause(Duration.ofSeconds(3));
        assertThat(status().getCanaryWeight())
                .as("40 s of the step's minute since the Gateway took the route")
                .isEqualTo(50);
        clock.advance(Duration.ofSeconds(25));
        poke();
        awaitStatus(s -> s.getCanaryWeight() == 100);
    }

    /**
     * The pass that sees a step's route accepted starts the step in the same status write. Before, that pass only
     * cleared {@code RouteNotAccepted} (the engine read the stored condition), and the step started in a pass of its
     * own about 2 s later: a second status write for every stage and step of every rollout, and a stored status that
     * said the route was accepted while the step waited to start.
     */
    @Test
    void aStepStartsInTheStatusWriteThatSaysItsRouteIsAccepted() {
        at50WaitingForTheGateway();
        List<ModelReleaseStatus> stored = new CopyOnWriteArrayList<>();
        try (Watch ignored = watchStored(stored)) {
            Instant accepted = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            operator.gateway().accept();
            ModelReleaseStatus started = awaitStatus(
                    s -> s.getCanaryWeight() == 50 && routeNotAccepted(s).isEmpty() && s.getStepWaitingSince() == null);
            assertThat(Instant.parse(started.getStepStartedAt())).isAfterOrEqualTo(accepted);
            pause(Duration.ofSeconds(3)); // a pass 2 s later, if one were asked for, would have written by now
            assertThat(stored)
                    .as("after the Gateway accepted the 50% route")
                    .noneMatch(s -> s.getCanaryWeight() == 50
                            && s.getStepWaitingSince() != null
                            && routeNotAccepted(s).isEmpty())
                    .filteredOn(s -> s.getCanaryWeight() == 50 && s.getStepWaitingSince() == null)
                    .extracting(ModelReleaseStatus::getStepStartedAt)
                    .as("started once, in the pass that saw the route accepted")
                    .containsOnly(started.getStepStartedAt());
        }
    }

    /**
     * A step's route that comes back from the API server other than written (a mutating webhook) is not in place: the
     * pass that finds the drift must not start the step, although no route is listed as waiting for its Gateway then
     * (a drifted route is not asked about its acceptance). The one-pass start ({@code RoutesAccepted}) is taken only
     * without drift: without that guard, this pass started the step. Once the route is as written and accepted, the
     * step starts.
     */
    @Test
    void aStepWhoseRouteComesBackOtherThanWrittenDoesNotStart() {
        at50WaitingForTheGateway();
        List<ModelReleaseStatus> stored = new CopyOnWriteArrayList<>();
        try (Watch ignored = watchStored(stored)) {
            // the operator's next write of the route is answered with another weight, as a webhook would store it
            api.rewriteNextResponse(
                    r -> r.isPatch("httproutes", NAME)
                            && r.contentType() != null
                            && r.contentType().startsWith("application/apply-patch"),
                    body -> body.replaceFirst("\"weight\"\\s*:\\s*50", "\"weight\":49"));
            // another client moves the route: the operator writes it back (retried: the Gateway's status writes and
            // the operator's may change the route between this client's read and its patch)
            await().atMost(Duration.ofSeconds(10))
                    .ignoreExceptions()
                    .until(() -> client.resources(HTTPRoute.class)
                                    .inNamespace(Releases.NS)
                                    .withName(NAME)
                                    .edit(route -> {
                                        route.getSpec()
                                                .getRules()
                                                .forEach(rule ->
                                                        rule.getBackendRefs().forEach(b -> b.setWeight(7)));
                                        return route;
                                    })
                            != null);
            awaitStatus(s -> routeNotApplied(s).isPresent());
            operator.gateway().accept();
            awaitStatus(s -> s.getCanaryWeight() == 50
                    && s.getStepWaitingSince() == null
                    && routeNotApplied(s).isEmpty()
                    && routeNotAccepted(s).isEmpty());
        }
        assertThat(stored)
                .as("while the route came back otherwise than written")
                .noneMatch(s -> s.getCanaryWeight() == 50
                        && s.getStepWaitingSince() == null
                        && routeNotApplied(s).isPresent());
    }

    /**
     * 2.0.0 at the public 25 % step (a minute each), started; then the 50 % step entered while the Gateway holds its
     * route: the step waits with {@code RouteNotAccepted}.
     */
    private void at50WaitingForTheGateway() {
        client.resource(Releases.gatewayApi(NAME, "1.0.0")).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED);
        edit(r -> {
            setVersion(r, "2.0.0");
            r.getSpec().getStages().get(2).setStepDuration("1m");
        });
        awaitStatus(s -> "public".equals(s.getStage())
                && s.getCanaryWeight() == 25
                && s.getStepWaitingSince() == null // started: its route accepted
                && routeNotAccepted(s).isEmpty());
        operator.gateway().hold();
        clock.advance(Duration.ofSeconds(61));
        poke();
        awaitStatus(s -> s.getCanaryWeight() == 50 && routeNotAccepted(s).isPresent());
    }

    /** Adds every stored status of the release to {@code seen}, until the watch is closed. */
    private Watch watchStored(List<ModelReleaseStatus> seen) {
        return client.resources(ModelRelease.class)
                .inNamespace(Releases.NS)
                .withName(NAME)
                .watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, ModelRelease r) {
                        if (r.getStatus() != null) {
                            seen.add(r.getStatus());
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {}
                });
    }
}
