package dev.fledge.e2e.local;

import dev.fledge.api.Labels;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretVolumeSource;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Test harness, not product: stands in for the Deployment controller and the kubelet. For every Deployment the
 * operator writes it runs one real model-server process with the environment of the pod template (the port is
 * replaced by a free one), reports the Deployment ready once the process's readiness probe answers, registers the
 * process as a Prometheus target. A template change is a rolling update with maxUnavailable 0: the old process
 * serves until the new one is ready. A process that goes (scale to zero, rolling update done) leaves the endpoints at
 * once and is stopped after the template's preStop sleep, as a kubelet drains a pod: requests sent to it just before
 * still get their answer.
 * The Deployment's replica count is kept as a weight for the route follower, as kube-proxy spreads traffic over pods.
 * A Secret volume the model container mounts (the release's response-id key, the S3 store's credentials) is written
 * below a local directory, every key as a file of its name or, with {@code items}, the listed keys only, each at its
 * path; env values under its mount path point there. While the Secret, or a key {@code items} lists, is missing no
 * process starts (a pod's {@code ContainerCreating}). A process gets no {@code AWS_*} variable of the harness's: a
 * pod's environment is its template's, and the test JVM's credentials must not reach a model server's S3 client.
 */
public final class LocalKubelet implements AutoCloseable {
    /** One running (or starting) model server for a Deployment. */
    record Pod(
            String deployment,
            String track,
            String version,
            int replicas,
            String url,
            String templateKey,
            ManagedProcess process,
            boolean ready,
            Instant startedAt) {}

    private static final Duration RESTART_BACKOFF = Duration.ofSeconds(2);
    /** Key suffix of a Deployment's old pod during a rolling update. */
    private static final String OLD = "#old";

    private final KubernetesClient client;
    private final String namespace;
    private final Path volumes;
    private final ModelServerLauncher launcher;
    private final LocalPrometheus prometheus;
    private final Map<String, Pod> pods = new ConcurrentHashMap<>();
    private final java.util.Set<ManagedProcess> draining = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService starters = Executors.newCachedThreadPool();

    LocalKubelet(
            KubernetesClient client,
            String namespace,
            Path volumes,
            ModelServerLauncher launcher,
            LocalPrometheus prometheus) {
        this.client = client;
        this.namespace = namespace;
        this.volumes = volumes;
        this.launcher = launcher;
        this.prometheus = prometheus;
        loop.scheduleWithFixedDelay(this::sync, 0, 200, TimeUnit.MILLISECONDS);
    }

    List<Pod> pods() {
        return List.copyOf(pods.values());
    }

    private void sync() {
        try {
            for (Deployment d : client.apps()
                    .deployments()
                    .inNamespace(namespace)
                    .withLabel(Labels.RELEASE)
                    .list()
                    .getItems()) {
                syncOne(d);
            }
            prometheus.targets(
                    pods.values().stream()
                            .filter(Pod::ready)
                            .collect(Collectors.groupingBy(
                                    p -> Objects.requireNonNullElse(p.track(), ""),
                                    Collectors.mapping(
                                            p -> p.url().substring("http://".length()), Collectors.toList()))),
                    namespace);
        } catch (KubernetesClientException e) {
            // API server busy or object changed: the next tick retries
        } catch (RuntimeException e) {
            e.printStackTrace();
        }
    }

    private void syncOne(Deployment d) {
        String name = d.getMetadata().getName();
        int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
        Map<String, String> env = env(d);
        if (env == null) {
            return; // a Secret it mounts is missing: no process yet
        }
        String key = labels.get(Labels.VERSION) + "|" + env;
        Pod pod = pods.get(name);
        if (pod != null
                && !pod.process().alive()
                && Instant.now().isAfter(pod.startedAt().plus(RESTART_BACKOFF))) {
            System.err.println(
                    "[kubelet] " + pod.process().name + " exited; restarting (see " + pod.process().log + ")");
            pods.remove(name);
            pod = null;
        }
        Pod previous = pods.get(name + OLD);
        if (previous != null && (replicas == 0 || (pod != null && pod.ready()))) {
            // the rolling update's new pod is ready (or the Deployment went to zero): the old one goes
            pods.remove(name + OLD);
            terminate(previous, d);
        }
        if (replicas == 0 && pod != null) {
            pods.remove(name);
            terminate(pod, d);
            pod = null;
        } else if (pod != null && !pod.templateKey().equals(key)) {
            pods.remove(name);
            if (pod.ready() && pod.process().alive() && !pods.containsKey(name + OLD)) {
                // a rolling update (maxUnavailable 0): the old pod serves until the new one is ready
                pods.put(name + OLD, pod);
            } else {
                terminate(pod, d);
            }
            pod = null;
        }
        if (replicas > 0 && pod == null) {
            int port = FreePort.get();
            ManagedProcess p = launcher.start(name + "-" + labels.get(Labels.VERSION), env, port);
            pod = new Pod(
                    name,
                    labels.get(Labels.TRACK),
                    labels.get(Labels.VERSION),
                    replicas,
                    "http://127.0.0.1:" + port,
                    key,
                    p,
                    false,
                    Instant.now());
            pods.put(name, pod);
            Pod starting = pod;
            starters.submit(() -> {
                try {
                    p.awaitHttpOk(starting.url() + "/q/health/ready", Duration.ofSeconds(90));
                    pods.computeIfPresent(name, (k, v) -> v.process() == p ? withReady(v, true) : v);
                } catch (IllegalStateException e) {
                    System.err.println("[kubelet] " + e.getMessage());
                }
            });
        } else if (pod != null && pod.replicas() != replicas) {
            pods.computeIfPresent(
                    name,
                    (k, v) -> new Pod(
                            v.deployment(),
                            v.track(),
                            v.version(),
                            replicas,
                            v.url(),
                            v.templateKey(),
                            v.process(),
                            v.ready(),
                            v.startedAt()));
        }
        reportStatus(d, replicas, pods.get(name));
    }

    /**
     * As the kubelet ends a pod: it is no endpoint any more at once (it left {@link #pods}), it keeps running for the
     * template's preStop sleep, so that requests sent to it just before still get their answer, then it is stopped.
     */
    private void terminate(Pod pod, Deployment d) {
        long preStop = d.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> "model-server".equals(c.getName()))
                .map(Container::getLifecycle)
                .filter(Objects::nonNull)
                .map(l -> l.getPreStop() == null || l.getPreStop().getSleep() == null
                        ? 0L
                        : l.getPreStop().getSleep().getSeconds())
                .findFirst()
                .orElse(0L);
        draining.add(pod.process());
        loop.schedule(
                () -> {
                    draining.remove(pod.process());
                    pod.process().close();
                },
                preStop,
                TimeUnit.SECONDS);
    }

    private void reportStatus(Deployment d, int replicas, Pod pod) {
        Pod previous = pods.get(d.getMetadata().getName() + OLD);
        int old = previous == null ? 0 : previous.replicas();
        int ready = (pod != null && pod.ready() && pod.process().alive() ? replicas : 0)
                + (previous != null && previous.ready() ? old : 0);
        replicas += old; // status.replicas counts the old pods too; updatedReplicas does not
        Long generation = d.getMetadata().getGeneration();
        var s = d.getStatus();
        if (s != null
                && Objects.equals(s.getReadyReplicas(), ready)
                && Objects.equals(s.getReplicas(), replicas)
                && Objects.equals(s.getObservedGeneration(), generation)) {
            return;
        }
        d.setStatus(new DeploymentStatusBuilder()
                .withReplicas(replicas)
                .withReadyReplicas(ready)
                .withUpdatedReplicas(replicas - old)
                .withAvailableReplicas(ready)
                .withObservedGeneration(generation)
                .build());
        client.apps().deployments().inNamespace(namespace).resource(d).updateStatus();
    }

    private static Pod withReady(Pod p, boolean ready) {
        return new Pod(
                p.deployment(),
                p.track(),
                p.version(),
                p.replicas(),
                p.url(),
                p.templateKey(),
                p.process(),
                ready,
                p.startedAt());
    }

    /** The model container's env, with paths under a mounted Secret moved to its local copy; null without the Secret. */
    private Map<String, String> env(Deployment d) {
        Map<String, String> env = new LinkedHashMap<>();
        var pod = d.getSpec().getTemplate().getSpec();
        for (Container c : pod.getContainers()) {
            if ("model-server".equals(c.getName()) && c.getEnv() != null) {
                for (EnvVar e : c.getEnv()) {
                    if (e.getValue() != null) {
                        env.put(e.getName(), e.getValue());
                    }
                }
                for (VolumeMount m : c.getVolumeMounts() == null ? List.<VolumeMount>of() : c.getVolumeMounts()) {
                    Volume v = pod.getVolumes() == null
                            ? null
                            : pod.getVolumes().stream()
                                    .filter(x -> x.getName().equals(m.getName()))
                                    .findFirst()
                                    .orElse(null);
                    if (v == null || v.getSecret() == null) {
                        continue;
                    }
                    Path local = secret(v.getSecret());
                    if (local == null) {
                        return null;
                    }
                    env.replaceAll(
                            (name, value) -> value.equals(m.getMountPath()) || value.startsWith(m.getMountPath() + "/")
                                    ? local + value.substring(m.getMountPath().length())
                                    : value);
                }
            }
        }
        return env;
    }

    /**
     * The Secret volume's files in a local directory (written when they differ): every entry under its key, or with
     * {@code items} the listed keys at their paths; null while the Secret or a listed key is missing, as the kubelet
     * does not start a pod whose Secret volume lacks a key it lists.
     */
    private Path secret(SecretVolumeSource volume) {
        String name = volume.getSecretName();
        Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
        if (secret == null) {
            return null;
        }
        Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
        Map<String, String> files = new LinkedHashMap<>(); // path -> base64 content
        List<KeyToPath> items = volume.getItems() == null ? List.of() : volume.getItems();
        if (items.isEmpty()) {
            files.putAll(data);
        }
        for (KeyToPath item : items) {
            if (!data.containsKey(item.getKey())) {
                return null;
            }
            files.put(item.getPath(), data.get(item.getKey()));
        }
        // one directory per projection of the Secret: the tracks may mount it with other items
        Path dir = items.isEmpty()
                ? volumes.resolve(name)
                : volumes.resolve(
                        name + "-items-" + Integer.toHexString(files.keySet().hashCode()));
        try {
            for (var entry : files.entrySet()) {
                byte[] bytes = Base64.getDecoder().decode(entry.getValue());
                Path file = dir.resolve(entry.getKey());
                Files.createDirectories(file.getParent());
                if (!Files.exists(file) || !Arrays.equals(Files.readAllBytes(file), bytes)) {
                    Files.write(file, bytes);
                }
            }
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir.toAbsolutePath();
    }

    @Override
    public void close() {
        loop.shutdownNow();
        List<Pod> all = new ArrayList<>(pods.values());
        pods.clear();
        all.forEach(p -> p.process().close());
        List.copyOf(draining).forEach(ManagedProcess::close);
        starters.shutdownNow();
    }

    /** Where the kubelet's processes come from. */
    public interface ModelServerLauncher {
        ManagedProcess start(String name, Map<String, String> podEnv, int port);
    }

    /** Starts {@code model-server/target/quarkus-app/quarkus-run.jar} with the pod's environment. */
    public static ModelServerLauncher jar(Path repo, Path logDir) {
        Path jar = repo.resolve("model-server/target/quarkus-app/quarkus-run.jar");
        Path cache = repo.resolve("model-server/target/djl-cache");
        return (name, podEnv, port) -> {
            Map<String, String> env = new LinkedHashMap<>(podEnv);
            env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
            // the pod's public port (8081 in every pod) on a free one: the harness plays kube-proxy and sends public
            // traffic without an audience header to the main port, which counts the same
            env.put("FLEDGE_PUBLIC_PORT", "0");
            env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
            env.put("DJL_OFFLINE", "true");
            env.put("OPT_OUT_TRACKING", "true");
            env.put("DJL_CACHE_DIR", cache.toString());
            // a pod's are in its /tmp emptyDir; here the build's cache, and the harness's home
            env.put("ENGINE_CACHE_DIR", cache.toString());
            env.remove("HOME");
            // nor the harness's AWS settings: a pod has no ~/.aws, and none of the test JVM's AWS_* variables
            Path noAwsFiles = logDir.resolve("no-aws-config");
            env.putIfAbsent(
                    "AWS_SHARED_CREDENTIALS_FILE",
                    noAwsFiles.resolve("credentials").toString());
            env.putIfAbsent("AWS_CONFIG_FILE", noAwsFiles.resolve("config").toString());
            // nor a cloud runner's instance credentials (its metadata service): only the mounted Secret's may work
            env.putIfAbsent("AWS_EC2_METADATA_DISABLED", "true");
            // a pod's own /tmp (an emptyDir): its model cache is its own, so every process fetches its model
            Path tmp = logDir.resolveSibling("tmp").resolve(name + "-" + port);
            try {
                Files.createDirectories(tmp);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return ManagedProcess.start(
                    name,
                    List.of(
                            "java",
                            "-Xmx256m",
                            "-XX:TieredStopAtLevel=1",
                            "-Dai.djl.offline=true",
                            "-Dai.djl.pytorch.num_threads=1",
                            "-Dai.djl.pytorch.num_interop_threads=1",
                            "-Djava.io.tmpdir=" + tmp,
                            "-jar",
                            jar.toString()),
                    env,
                    logDir,
                    inherited -> inherited.startsWith("AWS_") && !env.containsKey(inherited));
        };
    }
}
