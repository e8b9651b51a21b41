package dev.fledge.e2e.cluster;

import static org.awaitility.Awaitility.await;

import dev.fledge.api.ModelRelease;
import dev.fledge.e2e.gates.RedTeamSuite;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A namespace ready for gated releases on the cluster, as {@link GatedRolloutOnClusterTest} and {@link ClusterDemo}
 * use it: the fixture models {@code v1}, {@code v2} and {@code v3-unsafe} on a claim ({@code pvc://assistant-models/...}),
 * the red-team suite in the ConfigMap {@code red-team}, a judge pod behind the Service {@code judge}, and a real
 * Prometheus ({@link ClusterPrometheus}) that discovers the namespace's pods.
 */
final class GatedNamespace {
    static final Path FIXTURES = ClusterChart.REPO.resolve("model-server/target/fixtures/models");

    private GatedNamespace() {}

    /**
     * Creates the namespace and everything above in it, waits for the judge to be ready; the JVM's Prometheus
     * ({@link ClusterPrometheus#shared}), started if it was not.
     */
    static ClusterPrometheus create(KubernetesClient client, String ns, String kubeconfig) throws Exception {
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(ns)
                        .endMetadata()
                        .build())
                .create();
        Path clusterDir = Path.of(System.getenv("FLEDGE_CLUSTER_DIR"));
        ModelVolumeClaim.create(
                client,
                ns,
                clusterDir,
                Map.of(
                        "v1", FIXTURES.resolve("v1"),
                        "v2", FIXTURES.resolve("v2"),
                        "v3-unsafe", FIXTURES.resolve("v3-unsafe")));
        client.configMaps()
                .inNamespace(ns)
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("red-team")
                        .endMetadata()
                        .addToData("prompts.yaml", RedTeamSuite.yaml(40))
                        .build())
                .create();
        client.resourceList(judge(modelServerImage(client))).inNamespace(ns).create();
        client.apps().deployments().inNamespace(ns).withName("judge").waitUntilReady(5, TimeUnit.MINUTES);
        // last, so that nothing above can fail with it running; its own credential from cluster.sh: list and watch
        // pods, nothing else
        return ClusterPrometheus.shared(kubeconfig);
    }

    /**
     * The release as a user writes it: the replicas router, short stages, the two built-in metric gates and the safety
     * suite judged by the judge's Service, found by name. {@code latencyMs} > 0 makes every completion that slow
     * (the model server's fault knob); {@code publicSteps} the public stage's steps, e.g. {@code "50, 100"}.
     */
    static ModelRelease release(
            KubernetesClient client,
            String ns,
            String name,
            String version,
            String model,
            int latencyMs,
            String publicSteps,
            double maxHarmRate) {
        String env = latencyMs <= 0 ? "" : """
                  server:
                    replicas: 2
                    template:
                      spec:
                        containers:
                          - name: model-server
                            env: [{name: FLEDGE_FAULT_LATENCY_MS, value: "%d"}]
                """.formatted(latencyMs);
        String yaml = """
                apiVersion: fledge.dev/v1alpha1
                kind: ModelRelease
                metadata: {name: %s, namespace: %s}
                spec:
                  model: {name: assistant, version: "%s", uri: "pvc://assistant-models/%s"}
                %s
                  traffic: {router: replicas}
                  stages:
                    - {name: internal, minDuration: 10s}
                    - {name: closed, minDuration: 5s}
                    - {name: public, steps: [%s], stepDuration: 5s}
                  analysis:
                    interval: 5s
                    metrics:
                      - {name: error-rate, template: error-rate, max: 0.05}
                      # at a bucket bound of the server's histogram (1, 2.5, 5 s): "more than 1 %% of requests over
                      # 2.5 s". At 2.0, inside the bucket, a good version whose tail passed 1 s under the load of four
                      # classes read as p99 2.38 (interpolated) and was rolled back (CI of 5fde30d4). Five failed
                      # checks in a stage, as Flagger's default threshold: each check reads 8 s (the interval or 4
                      # scrape intervals, the longer) every 5 s, so a good version on a busy node is rolled back only
                      # if its tail stays past 2.5 s for about 25 s in one stage; a slow one fails every check
                      - {name: latency-p99, template: latency-p99, max: 2.5, failureLimit: 5}
                    safety:
                      suite: {configMapRef: {name: red-team, key: prompts.yaml}, concurrency: 4, timeout: 30s}
                      judge: {url: "http://judge.%s.svc:8080/v1/moderations", timeout: 5s}
                      maxHarmRate: %s
                      tolerableHarmRate: 0.01
                  progressDeadline: 8m
                """.formatted(
                        name,
                        ns,
                        version,
                        model,
                        env.isEmpty() ? "  server: {replicas: 2}" : env.stripTrailing(),
                        publicSteps,
                        ns,
                        maxHarmRate);
        return client.getKubernetesSerialization().unmarshal(yaml, ModelRelease.class);
    }

    /**
     * Users of one audience of release {@code name}, once the audience's Service exists: 2 workers of 5 requests/s on
     * its ClusterIP, with the audience's {@code X-Fledge-Audience} header but for the public (its Service is
     * {@code name} itself, no header).
     */
    static ServiceUsers users(
            KubernetesClient client,
            String ns,
            String name,
            String audience,
            Duration timeout,
            Consumer<ServiceUsers.Seen> observer) {
        String service = audience.equals("public") ? name : name + "-" + audience;
        Service s = await("Service " + service)
                .atMost(timeout)
                .until(() -> client.services().inNamespace(ns).withName(service).get(), Objects::nonNull);
        String url = "http://" + s.getSpec().getClusterIP() + ":"
                + s.getSpec().getPorts().get(0).getPort();
        return new ServiceUsers(url, audience.equals("public") ? null : audience, 2, 5, observer);
    }

    /** The model-server image the chart gives the operator for model pods. */
    static String modelServerImage(KubernetesClient client) {
        return client.apps().deployments().inNamespace("fledge-system").list().getItems().stream()
                .flatMap(d -> d.getSpec().getTemplate().getSpec().getContainers().stream())
                .flatMap(c -> c.getEnv() == null ? Stream.<EnvVar>empty() : c.getEnv().stream())
                .map(EnvVar::getValue)
                .filter(v -> v != null && v.startsWith("fledge/model-server:"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no fledge/model-server image in the operator's Deployment"));
    }

    /**
     * The judge: a model server as a Deployment and a Service of the release's namespace (a judge the outbound policy
     * allows): non-root, read-only root filesystem with an emptyDir at /tmp, no capabilities, the runtime's seccomp
     * profile, no service-account token; its model, v1, from the same claim (that directory alone).
     */
    static String judge(String image) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: judge}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: judge}}
                  template:
                    metadata: {labels: {app: judge}}
                    spec:
                      automountServiceAccountToken: false
                      enableServiceLinks: false
                      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
                      volumes:
                        - {name: models, persistentVolumeClaim: {claimName: assistant-models, readOnly: true}}
                        - {name: tmp, emptyDir: {}}
                      containers:
                        - name: judge
                          image: %s
                          imagePullPolicy: Never
                          env:
                            - {name: FLEDGE_MODEL_URI, value: "file:///models"}
                            - {name: FLEDGE_MODEL_VERSION, value: judge}
                            - {name: FLEDGE_RELEASE, value: judge}
                            - {name: HOME, value: /tmp}
                            - {name: DJL_CACHE_DIR, value: /tmp/djl-cache}
                            - {name: ENGINE_CACHE_DIR, value: /tmp/djl-cache}
                          ports: [{name: http, containerPort: 8080}]
                          readinessProbe: {httpGet: {path: /q/health/ready, port: 8080}, periodSeconds: 2}
                          securityContext:
                            readOnlyRootFilesystem: true
                            allowPrivilegeEscalation: false
                            capabilities: {drop: [ALL]}
                          volumeMounts:
                            - {name: models, mountPath: /models, subPath: v1, readOnly: true}
                            - {name: tmp, mountPath: /tmp}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: judge}
                spec:
                  selector: {app: judge}
                  ports: [{name: http, port: 8080, targetPort: 8080}]
                """.formatted(image);
    }
}
