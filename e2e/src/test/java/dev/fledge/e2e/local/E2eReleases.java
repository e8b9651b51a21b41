package dev.fledge.e2e.local;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AnalysisSpec;
import dev.fledge.api.spec.GatewayApiSpec;
import dev.fledge.api.spec.HeaderAudiencesSpec;
import dev.fledge.api.spec.HeaderTrust;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.spec.ParentReference;
import dev.fledge.api.spec.Router;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.spec.StageName;
import dev.fledge.api.spec.StageSpec;
import dev.fledge.api.spec.TrafficSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewaySpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import java.util.List;

/** The releases the end-to-end scenarios use: the gatewayAPI router (exact weights), durations in seconds. */
final class E2eReleases {
    static final String GATEWAY = "public-gw";
    static final List<Integer> STEPS = List.of(25, 50, 100);

    private E2eReleases() {}

    static ModelRelease release(String namespace, String name, String version, String uri) {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(
                new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        mr.setSpec(new ModelReleaseSpec()
                .withModel(new ModelSpec().withName(name).withVersion(version).withUri(uri))
                .withServer(new ServerSpec().withReplicas(1))
                .withTraffic(new TrafficSpec()
                        .withRouter(Router.GATEWAY_API)
                        .withGatewayAPI(new GatewayApiSpec()
                                .withParentRefs(List.of(new ParentReference().withName(GATEWAY)))
                                .withHeaderAudiences(new HeaderAudiencesSpec().withTrust(HeaderTrust.AUTH_PROXY))))
                .withStages(List.of(
                        new StageSpec().withName(StageName.INTERNAL).withMinDuration("4s"),
                        new StageSpec().withName(StageName.CLOSED).withMinDuration("4s"),
                        new StageSpec()
                                .withName(StageName.PUBLIC)
                                .withSteps(STEPS)
                                .withStepDuration("8s")))
                .withAnalysis(new AnalysisSpec().withInterval("5s"))
                .withProgressDeadline("4m"));
        return mr;
    }

    static Gateway gateway(String namespace) {
        Gateway gw = new Gateway();
        gw.setMetadata(new ObjectMetaBuilder()
                .withName(GATEWAY)
                .withNamespace(namespace)
                .build());
        GatewaySpec spec = new GatewaySpec();
        spec.setGatewayClassName("local");
        Listener http = new Listener();
        http.setName("http");
        http.setPort(80);
        http.setProtocol("HTTP");
        spec.setListeners(List.of(http));
        gw.setSpec(spec);
        return gw;
    }
}
