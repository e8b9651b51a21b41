package dev.fledge.e2e.bench;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AnalysisSpec;
import dev.fledge.api.spec.GatewayApiSpec;
import dev.fledge.api.spec.HeaderAudiencesSpec;
import dev.fledge.api.spec.HeaderTrust;
import dev.fledge.api.spec.MetricSpec;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.spec.NoDataPolicy;
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
import java.time.Duration;
import java.util.List;

/**
 * The benchmark's releases: the gatewayAPI router (every stage change rewrites the HTTPRoute), short stages, and one
 * metric gate that a real Prometheus answers and that passes (the query is constant, so the gates' outcome does not
 * depend on the machine's load, only their timing does).
 */
final class BenchReleases {
    static final String GATEWAY = "public-gw";
    static final Duration HOLD = Duration.ofSeconds(10);
    static final Duration INTERVAL = Duration.ofSeconds(5);
    static final List<Integer> STEPS = List.of(25, 50, 100);
    /** internal + closed + one hold per public step: the least time a rollout can take. */
    static final Duration MINIMUM = HOLD.multipliedBy(2 + STEPS.size());

    static final String GATE_QUERY = "label_replace(vector(0.001), \"release\", \"{{release}}\", \"\", \"\")";

    private BenchReleases() {}

    static String name(int i) {
        return String.format("model-%04d", i);
    }

    static ModelRelease release(String namespace, String name, String version) {
        String hold = HOLD.toSeconds() + "s";
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(
                new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        mr.setSpec(new ModelReleaseSpec()
                .withModel(new ModelSpec().withName(name).withVersion(version).withUri(uri(version)))
                .withServer(new ServerSpec().withReplicas(1))
                .withTraffic(new TrafficSpec()
                        .withRouter(Router.GATEWAY_API)
                        .withGatewayAPI(new GatewayApiSpec()
                                .withParentRefs(List.of(new ParentReference().withName(GATEWAY)))
                                .withHeaderAudiences(new HeaderAudiencesSpec().withTrust(HeaderTrust.AUTH_PROXY))))
                .withStages(List.of(
                        new StageSpec().withName(StageName.INTERNAL).withMinDuration(hold),
                        new StageSpec().withName(StageName.CLOSED).withMinDuration(hold),
                        new StageSpec()
                                .withName(StageName.PUBLIC)
                                .withSteps(STEPS)
                                .withStepDuration(hold)))
                .withAnalysis(new AnalysisSpec()
                        .withInterval(INTERVAL.toSeconds() + "s")
                        .withMetrics(List.of(new MetricSpec()
                                .withName("error-rate")
                                .withQuery(GATE_QUERY)
                                .withMax(0.01)
                                .withNoData(NoDataPolicy.FAIL))))
                .withProgressDeadline("30m"));
        return mr;
    }

    /** The Gateway the routes attach to; the operator refuses a route whose parent Gateway does not exist. */
    static Gateway gateway(String namespace) {
        Listener http = new Listener();
        http.setName("http");
        http.setPort(80);
        http.setProtocol("HTTP");
        GatewaySpec spec = new GatewaySpec();
        spec.setGatewayClassName("bench");
        spec.setListeners(List.of(http));
        Gateway gw = new Gateway();
        gw.setMetadata(new ObjectMetaBuilder()
                .withName(GATEWAY)
                .withNamespace(namespace)
                .build());
        gw.setSpec(spec);
        return gw;
    }

    static String uri(String version) {
        return "file:///models/bench/" + version;
    }
}
