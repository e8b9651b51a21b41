package dev.fledge.operator.mock;

import static org.awaitility.Awaitility.await;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AnalysisSpec;
import dev.fledge.api.spec.GatewayApiSpec;
import dev.fledge.api.spec.HeaderAudiencesSpec;
import dev.fledge.api.spec.HeaderTrust;
import dev.fledge.api.spec.MetricSpec;
import dev.fledge.api.spec.MetricTemplate;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.spec.ParentReference;
import dev.fledge.api.spec.Router;
import dev.fledge.api.spec.StageName;
import dev.fledge.api.spec.StageSpec;
import dev.fledge.api.spec.TrafficSpec;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.operator.workload.DesiredDeployment;
import dev.fledge.operator.workload.ServerDefaults;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;

/** ModelReleases with shortened durations for the in-process tests. */
final class Releases {
    static final String NS = "ml";

    private Releases() {}

    static ModelRelease replicas(String name, String version) {
        return release(name, version, new TrafficSpec().withRouter(Router.REPLICAS));
    }

    /** {@link #replicas} with one metric gate, {@code error-rate} (the built-in template, max 1%), every second. */
    static ModelRelease gated(String name, String version) {
        ModelRelease mr = replicas(name, version);
        mr.getSpec()
                .setAnalysis(new AnalysisSpec()
                        .withInterval("1s")
                        .withMetrics(List.of(new MetricSpec()
                                .withName("error-rate")
                                .withTemplate(MetricTemplate.ERROR_RATE)
                                .withMax(0.01))));
        return mr;
    }

    static ModelRelease gatewayApi(String name, String version) {
        return release(
                name,
                version,
                new TrafficSpec()
                        .withRouter(Router.GATEWAY_API)
                        .withGatewayAPI(new GatewayApiSpec()
                                .withParentRefs(List.of(new ParentReference().withName("public-gw")))
                                .withHeaderAudiences(new HeaderAudiencesSpec().withTrust(HeaderTrust.AUTH_PROXY))));
    }

    static ModelRelease release(String name, String version, TrafficSpec traffic) {
        if (traffic.getScaleDownDelay() == null) {
            // the tests of other behaviour see the canary scaled down as soon as the routes left it; the delay has its
            // own test (CanaryScaleDownOnMockApiServerTest)
            traffic.setScaleDownDelay("0s");
        }
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
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

    /**
     * Leaves the Deployment {@code name} as an older operator built it (revision 2): no template revision recorded,
     * no public port ({@code FLEDGE_PUBLIC_PORT}, the port {@code http-public}), readiness asked on {@code http}.
     * Returns it as left.
     */
    static Deployment asBuiltByAnOlderOperator(KubernetesClient client, String name) {
        return client.apps().deployments().inNamespace(NS).withName(name).edit(d -> {
            d.getMetadata().getAnnotations().remove(DesiredDeployment.TEMPLATE_REVISION);
            var c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            c.getEnv().removeIf(e -> OLDER_TEMPLATE_LACKS.equals(e.getName()));
            c.getPorts().removeIf(p -> ServerDefaults.PUBLIC_PORT.equals(p.getName()));
            c.getReadinessProbe().getHttpGet().setPort(new IntOrString(ServerDefaults.PORT));
            return d;
        });
    }

    /** The env name a template of {@link #asBuiltByAnOlderOperator} lacks and this operator's has. */
    static final String OLDER_TEMPLATE_LACKS = "FLEDGE_PUBLIC_PORT";

    /** Polls the release until its status satisfies {@code p}, and returns that status. */
    /**
     * Edits the release as a user would, read-modify-write, retried on a conflict: the operator writes the status
     * meanwhile, and a 409 from that is no failure of the test.
     */
    static void edit(KubernetesClient client, String name, java.util.function.Consumer<ModelRelease> change) {
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .ignoreException(io.fabric8.kubernetes.client.KubernetesClientException.class)
                .until(() -> {
                    client.resources(ModelRelease.class)
                            .inNamespace(NS)
                            .withName(name)
                            .edit(r -> {
                                if (r.getMetadata().getAnnotations() == null) {
                                    r.getMetadata().setAnnotations(new java.util.HashMap<>());
                                }
                                change.accept(r);
                                return r;
                            });
                    return true;
                });
    }

    /** The namespace {@link #NS} the mock tests' releases live in. */
    static void createNamespace(KubernetesClient client) {
        client.namespaces()
                .resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                        .withNewMetadata()
                        .withName(NS)
                        .endMetadata()
                        .build())
                .create();
    }

    static ModelReleaseStatus awaitStatus(
            KubernetesClient client, String name, Duration timeout, Predicate<ModelReleaseStatus> p) {
        AtomicReference<ModelReleaseStatus> holder = new AtomicReference<>();
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(50)).until(() -> {
                ModelRelease now = client.resources(ModelRelease.class)
                        .inNamespace(NS)
                        .withName(name)
                        .get();
                if (now != null && now.getStatus() != null && p.test(now.getStatus())) {
                    holder.set(now.getStatus());
                    return true;
                }
                return false;
            });
        } catch (ConditionTimeoutException e) {
            // what the release and its Deployments looked like when the wait gave up: a stall is then told from a
            // slow machine in the failure itself (CI keeps nothing else)
            throw new AssertionError(e.getMessage() + "\n" + snapshot(client, name), e);
        }
        return holder.get();
    }

    /** The release's status and its Deployments' replicas, generation and ready pods, for a failure message. */
    static String snapshot(KubernetesClient client, String name) {
        try {
            ModelRelease mr = client.resources(ModelRelease.class)
                    .inNamespace(NS)
                    .withName(name)
                    .get();
            StringBuilder out = new StringBuilder("release ")
                    .append(name)
                    .append(" at ")
                    .append(Instant.now())
                    .append(": ")
                    .append(
                            mr == null
                                    ? "gone"
                                    : "generation " + mr.getMetadata().getGeneration() + ", version "
                                            + mr.getSpec().getModel().getVersion() + ", status "
                                            + Serialization.asJson(mr.getStatus()));
            for (Deployment d :
                    client.apps().deployments().inNamespace(NS).list().getItems()) {
                var st = d.getStatus();
                out.append("\nDeployment ")
                        .append(d.getMetadata().getName())
                        .append(": replicas ")
                        .append(d.getSpec().getReplicas())
                        .append(", generation ")
                        .append(d.getMetadata().getGeneration())
                        .append(
                                st == null
                                        ? ", no status"
                                        : ", observed " + st.getObservedGeneration() + ", ready "
                                                + st.getReadyReplicas() + ", updated " + st.getUpdatedReplicas());
            }
            return out.toString();
        } catch (RuntimeException e) {
            return "(no snapshot: " + e + ")";
        }
    }
}
