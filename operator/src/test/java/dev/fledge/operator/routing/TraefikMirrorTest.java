package dev.fledge.operator.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.GatewayApiSpec;
import dev.fledge.api.spec.ParentReference;
import dev.fledge.core.rollout.TrafficSplit;
import dev.fledge.operator.workload.ServerDefaults;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TraefikMirrorTest {
    /** Traefik's provider.Normalize: every run of characters other than letters and digits becomes one '-'. */
    @Test
    void traefikNamesAnObjectWithEveryRunOfOtherCharactersMadeOneDash() {
        assertThat(TraefikMirror.traefikName("ml-chat-mirror-public-0b6-4e")).isEqualTo("ml-chat-mirror-public-0b6-4e");
        assertThat(TraefikMirror.traefikName("team--ml-chat")).isEqualTo("team-ml-chat");
        assertThat(TraefikMirror.traefikName("ml-chat.v2")).isEqualTo("ml-chat-v2");
    }

    /**
     * A release whose TraefikService Traefik would store under another name than its Gateway provider looks up (a
     * '--' in the release or namespace name) gets no mirror: its rule would name nothing Traefik serves. Nothing is
     * asked of the API server.
     */
    @Test
    void aNameWithTwoDashesInARowGetsNoMirror() {
        ModelRelease mr = HttpRoutesTest.release(
                new GatewayApiSpec().withParentRefs(List.of(new ParentReference().withName("gw"))));
        mr.getMetadata().setName("chat--v2");
        TrafficSplit shadow = new TrafficSplit("1", null, "2", Set.of(), 0, 20, Set.of("public"));
        HttpRoutes routes = new HttpRoutes(new ServerDefaults("img", 8080));

        var outcome = new TraefikMirror(null, null, new ServerDefaults("img", 8080), Clock.systemUTC())
                .write(mr, shadow, routes.desired(mr, shadow, false, true));

        assertThat(outcome).isInstanceOfSatisfying(TraefikMirror.Outcome.Refused.class, r -> {
            assertThat(r.lasting()).isTrue();
            assertThat(r.why()).contains("Traefik would not find TraefikService chat--v2-mirror-public-u");
        });
    }
}
