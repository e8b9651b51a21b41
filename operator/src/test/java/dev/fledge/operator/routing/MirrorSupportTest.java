package dev.fledge.operator.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a route's mirrors need of its Gateway, and what a GatewayClass says it supports, in both status shapes. */
class MirrorSupportTest {

    @Test
    void aMirrorOfAShareNeedsThePercentageFeatureAndAWholeMirrorOnlyThePlainOne() {
        assertThat(MirrorSupport.needed(route(null, null, null))).isEmpty();
        assertThat(MirrorSupport.needed(route(20, null, null)))
                .containsExactly(MirrorSupport.MIRROR, MirrorSupport.PERCENTAGE);
        assertThat(MirrorSupport.needed(route(100, null, null))).containsExactly(MirrorSupport.MIRROR);
        assertThat(MirrorSupport.needed(route(null, 1, null)))
                .as("a fraction without a denominator is of 100")
                .containsExactly(MirrorSupport.MIRROR, MirrorSupport.PERCENTAGE);
        assertThat(MirrorSupport.needed(route(null, 3, 3))).containsExactly(MirrorSupport.MIRROR);
    }

    @Test
    void supportedFeaturesAreReadAsNamesSinceV12AndAsStringsBefore() {
        assertThat(MirrorSupport.supportedFeatures(
                        gatewayClass(List.of(Map.of("name", "HTTPRoute"), Map.of("name", "Gateway")))))
                .contains(Set.of("HTTPRoute", "Gateway"));
        assertThat(MirrorSupport.supportedFeatures(gatewayClass(List.of("HTTPRouteRequestMirror"))))
                .contains(Set.of("HTTPRouteRequestMirror"));
        assertThat(MirrorSupport.supportedFeatures(gatewayClass(List.of())))
                .as("a class that lists nothing says nothing")
                .isEmpty();
        assertThat(MirrorSupport.supportedFeatures(new GenericKubernetesResource()))
                .isEmpty();
    }

    /** A route with one rule and, when {@code mirror}, a RequestMirror filter with that percent or fraction. */
    static HTTPRoute route(Integer percent, Integer numerator, Integer denominator) {
        var rule = new HTTPRouteBuilder().withNewSpec().addNewRule();
        if (percent != null || numerator != null) {
            var mirror = rule.addNewFilter()
                    .withType("RequestMirror")
                    .withNewRequestMirror()
                    .withPercent(percent);
            if (numerator != null) {
                mirror = mirror.withNewFraction()
                        .withNumerator(numerator)
                        .withDenominator(denominator)
                        .endFraction();
            }
            mirror.withNewBackendRef()
                    .withName("x-canary")
                    .endBackendRef()
                    .endRequestMirror()
                    .endFilter();
        }
        return rule.endRule().endSpec().build();
    }

    static GenericKubernetesResource gatewayClass(List<?> features) {
        GenericKubernetesResource gc = new GenericKubernetesResource();
        gc.setAdditionalProperty("status", Map.of("supportedFeatures", features));
        return gc;
    }
}
