package dev.fledge.operator.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.api.status.ServingStatus;
import dev.fledge.core.rollout.ServingIdentity;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The annotation a rollback is kept in while its status write is refused can be written by anyone who may edit the
 * release: read back, it never changes what stable runs.
 */
class UnstoredDecisionsTest {
    final UnstoredDecisions kept = new UnstoredDecisions(null); // no write in these cases

    @Test
    void aForgedAnnotationCannotChangeWhatStableRuns() {
        ModelReleaseStatus recorded = new ModelReleaseStatus();
        recorded.setPhase(Phase.PROGRESSING);
        recorded.setStableVersion("1.0.0");
        recorded.setStable(serving("1.0.0", "fledge/model-server:0.1.0"));
        recorded.setCanaryVersion("2.0.0");
        recorded.setStage("internal");

        ModelReleaseStatus forged = new ModelReleaseStatus();
        forged.setPhase(Phase.PROMOTED);
        forged.setStableVersion("6.6.6");
        forged.setStable(serving("6.6.6", "evil/image:1"));
        String wire = Serialization.asJson(new UnstoredDecisions.Wire(
                UnstoredDecisions.basis(recorded), "2.0.0", "h2", forged, List.of(), null, null, null));
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(new ObjectMetaBuilder()
                .withNamespace("team-a")
                .withName("assistant")
                .withAnnotations(Map.of(UnstoredDecisions.ANNOTATION, wire))
                .build());

        var found = kept.find(mr, recorded, recorded, new ServingIdentity("2.0.0", "h2"));

        assertThat(found).isPresent();
        ModelReleaseStatus st = found.get().decision().status();
        assertThat(st.getStableVersion()).isEqualTo("1.0.0");
        assertThat(st.getStable().getImage()).isEqualTo("fledge/model-server:0.1.0");
        assertThat(found.get().decision().split().stableVersion()).isEqualTo("1.0.0");
        assertThat(found.get().decision().split().canaryRunning()).isFalse();
    }

    private static ServingStatus serving(String version, String image) {
        ServingStatus s = new ServingStatus();
        s.setVersion(version);
        s.setImage(image);
        return s;
    }
}
