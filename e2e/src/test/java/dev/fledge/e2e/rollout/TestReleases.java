package dev.fledge.e2e.rollout;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.GatewayApiSpec;
import dev.fledge.api.spec.HeaderAudiencesSpec;
import dev.fledge.api.spec.HeaderTrust;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.spec.ParentReference;
import dev.fledge.api.spec.Router;
import dev.fledge.api.spec.StageName;
import dev.fledge.api.spec.StageSpec;
import dev.fledge.api.spec.TrafficSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;

/** ModelReleases as a user writes them, with every duration shortened to seconds. */
public final class TestReleases {

    /** Short, so that the canary leaves within a scenario's step timeout (the default is 30s). */
    public static final String SCALE_DOWN_DELAY = "2s";

    private TestReleases() {}

    public static ModelRelease replicas(String namespace, String name, String version) {
        return release(
                namespace,
                name,
                version,
                new TrafficSpec().withRouter(Router.REPLICAS).withScaleDownDelay(SCALE_DOWN_DELAY));
    }

    public static ModelRelease gatewayApi(String namespace, String name, String version, String gateway) {
        return release(
                namespace,
                name,
                version,
                new TrafficSpec()
                        .withScaleDownDelay(SCALE_DOWN_DELAY)
                        .withRouter(Router.GATEWAY_API)
                        .withGatewayAPI(new GatewayApiSpec()
                                .withParentRefs(List.of(new ParentReference().withName(gateway)))
                                .withHeaderAudiences(new HeaderAudiencesSpec().withTrust(HeaderTrust.AUTH_PROXY))));
    }

    static ModelRelease release(String namespace, String name, String version, TrafficSpec traffic) {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(
                new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        mr.setSpec(new ModelReleaseSpec()
                .withModel(new ModelSpec()
                        .withName("assistant")
                        .withVersion(version)
                        .withUri("file:///models/" + version))
                .withTraffic(traffic)
                .withStages(List.of(
                        new StageSpec().withName(StageName.INTERNAL).withMinDuration("1s"),
                        new StageSpec().withName(StageName.CLOSED).withMinDuration("1s"),
                        new StageSpec()
                                .withName(StageName.PUBLIC)
                                .withSteps(List.of(25, 50, 100))
                                .withStepDuration("2s")))
                .withProgressDeadline("10m"));
        return mr;
    }
}
