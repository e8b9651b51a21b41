package dev.fledge.operator.mock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.Router;
import dev.fledge.api.spec.TrafficSpec;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.testsupport.FaultInjectingDispatcher;
import io.fabric8.kubernetes.api.model.HasMetadata;
import org.junit.jupiter.api.Test;

/**
 * A spec edit that the API server stores while the operator's status write is in flight: the write's response holds
 * it, and JOSDK drops the edit's own watch event as older than that write. The pass looks again at once
 * (EditsDuringAPass). On the old code a new version applied just before the promotion's status write started only at
 * the next requeue: the drain, 10 minutes here (30 s in the CI run that failed so).
 */
class EditDuringAStatusWriteOnMockApiServerTest extends MockRolloutFixture<Object> {
    final FaultInjectingDispatcher api = new FaultInjectingDispatcher();

    @Override
    FaultInjectingDispatcher api() {
        return api;
    }

    @Test
    void aNewVersionStoredDuringThePromotionsStatusWriteStartsItsRolloutAtOnce() {
        ModelRelease mr = Releases.release(
                NAME, "1.0.0", new TrafficSpec().withRouter(Router.REPLICAS).withScaleDownDelay("10m"));
        api.mergePatchBeforeNext(
                r -> r.isStatusPatch("modelreleases", NAME)
                        && r.body().replace(" ", "").contains("\"phase\":\"Promoted\""),
                "/apis/" + HasMetadata.getApiVersion(ModelRelease.class) + "/namespaces/" + Releases.NS
                        + "/modelreleases/" + NAME,
                "{\"spec\":{\"model\":{\"version\":\"2.0.0\",\"uri\":\"file:///models/2.0.0\"}}}");
        client.resource(mr).create();

        ModelReleaseStatus started = awaitStatus(s -> "2.0.0".equals(s.getCanaryVersion()));

        assertThat(started.getStableVersion()).as("1.0.0 was promoted first").isEqualTo("1.0.0");
        assertThat(started.getPhase()).isEqualTo(Phase.PROGRESSING);
    }
}
