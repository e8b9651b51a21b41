package dev.fledge.operator.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.operator.mock.MovableClock;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReferenceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a route counts as taken by its Gateways, and when a wait for them becomes a Warning. */
class RouteAcceptanceTest {
    static final ParentReference PUBLIC =
            new ParentReferenceBuilder().withName("public-gw").build();
    static final ParentReference INTERNAL = new ParentReferenceBuilder()
            .withName("internal-gw")
            .withNamespace("infra")
            .build();

    @Test
    void aRouteIsAcceptedOnlyWhenEveryParentAcceptedItsCurrentGeneration() {
        assertThat(RouteAcceptance.problem(route(3, List.of(PUBLIC, INTERNAL), parent(PUBLIC, "True", 3))))
                .as("one parent has not answered")
                .hasValueSatisfying(u -> {
                    assertThat(u.parent()).isEqualTo("infra/internal-gw");
                    assertThat(u.rejected()).isFalse();
                    assertThat(u.message()).startsWith("waiting for the Gateway to accept HTTPRoute r:");
                });
        assertThat(RouteAcceptance.problem(
                        route(3, List.of(PUBLIC, INTERNAL), parent(PUBLIC, "True", 3), parent(INTERNAL, "True", 2))))
                .as("an answer to an older generation")
                .hasValueSatisfying(u -> assertThat(u.detail()).contains("generation 3 not accepted yet"));
        assertThat(RouteAcceptance.problem(
                        route(3, List.of(PUBLIC, INTERNAL), parent(PUBLIC, "True", 3), parent(INTERNAL, "True", 3))))
                .isEmpty();
    }

    @Test
    void aRefusalOfTheCurrentGenerationIsReportedWithItsReasonAnOlderOneAsAWait() {
        assertThat(RouteAcceptance.problem(route(4, List.of(PUBLIC), parent(PUBLIC, "False", 4))))
                .hasValueSatisfying(u -> {
                    assertThat(u.rejected()).isTrue();
                    assertThat(u.message())
                            .startsWith("the Gateway refuses HTTPRoute r: parent ns/public-gw")
                            .contains("Accepted=False reason NotAllowedByListeners: no listener allows it");
                });
        assertThat(RouteAcceptance.problem(route(5, List.of(PUBLIC), parent(PUBLIC, "False", 4))))
                .hasValueSatisfying(u -> assertThat(u.rejected()).isFalse());
    }

    /**
     * A Gateway that accepts a route but cannot send to one of its backendRefs (here, one that does not implement
     * InferencePool backends) says so with ResolvedRefs=False: a refusal, not an acceptance, since its requests to
     * that backend fail. An answer about an older generation does not count; a ResolvedRefs True changes nothing.
     */
    @Test
    void anAcceptedRouteToPoolsWhoseBackendsTheGatewayCannotResolveCountsAsRefused() {
        assertThat(RouteAcceptance.problem(
                        toPools(route(4, List.of(PUBLIC), resolved(parent(PUBLIC, "True", 4), "False", 4)))))
                .hasValueSatisfying(u -> {
                    assertThat(u.rejected()).isTrue();
                    assertThat(u.message())
                            .startsWith("the Gateway refuses HTTPRoute r: parent ns/public-gw")
                            .contains("ResolvedRefs=False reason InvalidKind: InferencePool is not supported");
                });
        assertThat(RouteAcceptance.problem(
                        toPools(route(5, List.of(PUBLIC), resolved(parent(PUBLIC, "True", 5), "False", 4)))))
                .as("about an older generation")
                .isEmpty();
        assertThat(RouteAcceptance.problem(
                        toPools(route(4, List.of(PUBLIC), resolved(parent(PUBLIC, "True", 4), "True", 4)))))
                .isEmpty();
        assertThat(RouteAcceptance.problem(route(4, List.of(PUBLIC), resolved(parent(PUBLIC, "True", 4), "False", 4))))
                .as("a route to Services: accepted is accepted, as before")
                .isEmpty();
    }

    /**
     * On Traefik, a rule naming a TraefikService that Traefik cannot resolve (its kubernetesCRD provider off, or not
     * watching the namespace) gets ResolvedRefs=False: a refusal, so the shadow stage's routes go back to the
     * Services.
     */
    @Test
    void anAcceptedRouteToATraefikServiceTraefikCannotResolveCountsAsRefused() {
        HTTPRoute route = route(4, List.of(PUBLIC), resolved(parent(PUBLIC, "True", 4), "False", 4));
        HTTPBackendRef ref = new HTTPBackendRef();
        ref.setGroup(TraefikService.GROUP);
        ref.setKind(TraefikService.KIND);
        ref.setName("assistant-mirror-public-u");
        HTTPRouteRule rule = new HTTPRouteRule();
        rule.setBackendRefs(List.of(ref));
        route.getSpec().setRules(List.of(rule));

        assertThat(RouteAcceptance.problem(route))
                .hasValueSatisfying(u -> assertThat(u.rejected()).isTrue());
    }

    /** {@code route} with a rule whose backendRef names an InferencePool. */
    static HTTPRoute toPools(HTTPRoute route) {
        HTTPBackendRef ref = new HTTPBackendRef();
        ref.setGroup("inference.networking.k8s.io");
        ref.setKind("InferencePool");
        ref.setName("assistant-stable");
        ref.setWeight(100);
        HTTPRouteRule rule = new HTTPRouteRule();
        rule.setBackendRefs(List.of(ref));
        route.getSpec().setRules(List.of(rule));
        return route;
    }

    @Test
    void aWaitIsAWarningOnceAfterThirtySecondsAndStartsAgainAfterAnAcceptance() {
        MovableClock clock = MovableClock.stoppedAt(Instant.parse("2026-01-01T00:00:00Z"));
        AcceptanceWatch watch = new AcceptanceWatch(clock);
        HTTPRoute waiting = route(2, List.of(PUBLIC), parent(PUBLIC, "True", 1));
        assertThat(watch.seen("ns/r", waiting))
                .hasValueSatisfying(u -> assertThat(u.warn()).isFalse());
        clock.advance(Duration.ofSeconds(29));
        assertThat(watch.seen("ns/r", waiting))
                .hasValueSatisfying(u -> assertThat(u.warn()).isFalse());
        clock.advance(Duration.ofSeconds(2));
        assertThat(watch.seen("ns/r", waiting)).hasValueSatisfying(u -> {
            assertThat(u.warn()).isTrue();
            assertThat(u.waited()).isEqualTo(Duration.ofSeconds(31));
        });
        clock.advance(Duration.ofSeconds(60));
        assertThat(watch.seen("ns/r", waiting))
                .as("once per wait")
                .hasValueSatisfying(u -> assertThat(u.warn()).isFalse());
        assertThat(watch.knownAccepted("ns/r")).isFalse();

        assertThat(watch.seen("ns/r", route(2, List.of(PUBLIC), parent(PUBLIC, "True", 2))))
                .isEmpty();
        assertThat(watch.knownAccepted("ns/r"))
                .as("no GET while nothing was written")
                .isTrue();
        assertThat(watch.seen("ns/r", route(3, List.of(PUBLIC), parent(PUBLIC, "True", 2))))
                .as("a new wait starts its own clock")
                .hasValueSatisfying(u -> assertThat(u.waited()).isZero());
    }

    static HTTPRoute route(long generation, List<ParentReference> parents, RouteParentStatus... status) {
        return new HTTPRouteBuilder()
                .withNewMetadata()
                .withName("r")
                .withNamespace("ns")
                .withGeneration(generation)
                .endMetadata()
                .withNewSpec()
                .withParentRefs(parents)
                .endSpec()
                .withNewStatus()
                .withParents(List.of(status))
                .endStatus()
                .build();
    }

    /** {@code p} with a ResolvedRefs condition as well. */
    static RouteParentStatus resolved(RouteParentStatus p, String status, long observed) {
        List<io.fabric8.kubernetes.api.model.Condition> conditions = new java.util.ArrayList<>(p.getConditions());
        conditions.add(new ConditionBuilder()
                .withType("ResolvedRefs")
                .withStatus(status)
                .withReason("True".equals(status) ? "ResolvedRefs" : "InvalidKind")
                .withMessage("True".equals(status) ? "" : "InferencePool is not supported")
                .withObservedGeneration(observed)
                .build());
        p.setConditions(conditions);
        return p;
    }

    static RouteParentStatus parent(ParentReference ref, String accepted, long observed) {
        RouteParentStatus p = new RouteParentStatus();
        p.setParentRef(ref);
        p.setControllerName("example.com/gateway");
        p.setConditions(List.of(new ConditionBuilder()
                .withType("Accepted")
                .withStatus(accepted)
                .withReason("True".equals(accepted) ? "Accepted" : "NotAllowedByListeners")
                .withMessage("True".equals(accepted) ? "" : "no listener allows it")
                .withObservedGeneration(observed)
                .build()));
        return p;
    }
}
