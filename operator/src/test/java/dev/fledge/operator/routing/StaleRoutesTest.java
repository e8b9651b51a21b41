package dev.fledge.operator.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import org.junit.jupiter.api.Test;

/** Which objects a sweep may treat as the release's own: only a controller reference to that ModelRelease UID. */
class StaleRoutesTest {
    static HTTPRoute ownedBy(String apiVersion, String kind, String uid, boolean controller) {
        HTTPRoute r = new HTTPRoute();
        r.setMetadata(new ObjectMetaBuilder()
                .withName("assistant")
                .addToOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion(apiVersion)
                        .withKind(kind)
                        .withName("assistant")
                        .withUid(uid)
                        .withController(controller)
                        .build())
                .build());
        return r;
    }

    @Test
    void aControllerReferenceToTheReleasesUidIsTheReleases() {
        assertThat(OwnedRouting.controlledBy(ownedBy("fledge.dev/v1", "ModelRelease", "u1", true), "u1"))
                .isTrue();
    }

    @Test
    void anotherUidANonControllerReferenceOrAnotherKindOrGroupIsNot() {
        assertThat(OwnedRouting.controlledBy(ownedBy("fledge.dev/v1", "ModelRelease", "u2", true), "u1"))
                .isFalse();
        assertThat(OwnedRouting.controlledBy(ownedBy("fledge.dev/v1", "ModelRelease", "u1", false), "u1"))
                .isFalse();
        assertThat(OwnedRouting.controlledBy(ownedBy("apps/v1", "Deployment", "u1", true), "u1"))
                .isFalse();
        assertThat(OwnedRouting.controlledBy(ownedBy("example.com/v1", "ModelRelease", "u1", true), "u1"))
                .isFalse();
        assertThat(OwnedRouting.controlledBy(ownedBy("v1", "ModelRelease", "u1", true), "u1"))
                .isFalse();
    }
}
