package dev.fledge.operator.mock;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.GatewayApiSpec;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.spec.ParentReference;
import dev.fledge.api.spec.Router;
import dev.fledge.api.spec.StageName;
import dev.fledge.api.spec.StageSpec;
import dev.fledge.api.spec.TrafficSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

import java.util.List;

/** ModelReleases with shortened durations for the in-process tests. */
final class Releases {
    static final String NS = "ml";

    private Releases() {
    }

    static ModelRelease replicas(String name, String version) {
        return release(name, version, new TrafficSpec().withRouter(Router.REPLICAS));
    }

    static ModelRelease gatewayApi(String name, String version) {
        return release(name, version, new TrafficSpec().withRouter(Router.GATEWAY_API).withGatewayAPI(
                new GatewayApiSpec().withParentRefs(List.of(new ParentReference().withName("public-gw")))));
    }

    static ModelRelease release(String name, String version, TrafficSpec traffic) {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
        mr.setSpec(new ModelReleaseSpec()
                .withModel(new ModelSpec().withName("assistant").withVersion(version).withUri("file:///models/" + version))
                .withTraffic(traffic)
                .withStages(List.of(new StageSpec().withName(StageName.INTERNAL).withMinDuration("1s"),
                        new StageSpec().withName(StageName.CLOSED).withMinDuration("1s"),
                        new StageSpec().withName(StageName.PUBLIC).withSteps(List.of(25, 50, 100)).withStepDuration("2s")))
                .withProgressDeadline("10m"));
        return mr;
    }
}
