package dev.fledge.e2e.cluster;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.ModelReleaseStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Watches a release's status from a thread of its own while a rollout runs, and the first time the release is in
 * {@code killAtStage} deletes the operator's pod ({@code kubectl delete pod}: the chart's Deployment brings a new one,
 * which takes the leader lease and resumes). It records every public step it saw, as weight and the step's start, so
 * that a step entered twice (repeated after the restart) or never (skipped) shows. With {@code killAtStage} null it
 * only records ({@link #recorder}).
 */
final class OperatorPodKiller implements AutoCloseable {
    static final String OPERATOR_NAMESPACE = "fledge-system";
    static final String OPERATOR_LABEL = "app.kubernetes.io/name";

    private final KubernetesClient client;
    private final String namespace;
    private final String release;
    private final String killAtStage;
    private final Set<String> publicSteps = new LinkedHashSet<>();
    private final java.util.Queue<Point> points = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /**
     * The release's status as polled (every 200 ms): when, the stage, the public weight, the canary, and whether its
     * public step's split is in place (the step started and no longer waiting for it), and the stage's start as the
     * status gives it ({@code stageStartedAt}: the time of the pass that entered it, which applies the stage's routes
     * before it writes the status; null if the status has none).
     */
    record Point(
            java.time.Instant at,
            String stage,
            Integer weight,
            String canary,
            boolean stepInPlace,
            java.time.Instant stageStartedAt) {}

    private final AtomicReference<String> killed = new AtomicReference<>();
    private final List<Throwable> errors = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stopped;

    OperatorPodKiller(KubernetesClient client, String namespace, String release, String killAtStage) {
        this.client = client;
        this.namespace = namespace;
        this.release = release;
        this.killAtStage = killAtStage;
        this.thread = new Thread(this::run, "operator-pod-killer");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void run() {
        while (!stopped) {
            try {
                ModelRelease mr = client.resources(ModelRelease.class)
                        .inNamespace(namespace)
                        .withName(release)
                        .get();
                ModelReleaseStatus st = mr == null ? null : mr.getStatus();
                if (st != null) {
                    points.add(new Point(
                            java.time.Instant.now(),
                            st.getStage(),
                            st.getCanaryWeight(),
                            st.getCanaryVersion(),
                            st.getStepStartedAt() != null && st.getStepWaitingSince() == null,
                            st.getStageStartedAt() == null ? null : java.time.Instant.parse(st.getStageStartedAt())));
                }
                if (st != null && st.getCanaryVersion() != null) {
                    if ("public".equals(st.getStage()) && st.getCanaryWeight() != null) {
                        synchronized (publicSteps) {
                            publicSteps.add(st.getCanaryWeight() + "@" + st.getStepStartedAt());
                        }
                    }
                    if (killed.get() == null && killAtStage != null && killAtStage.equals(st.getStage())) {
                        killed.set(deleteOperatorPod());
                    }
                }
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // the API server answers through the restart too; a failed read is retried, and reported at close
                synchronized (errors) {
                    if (errors.size() < 5) {
                        errors.add(e);
                    }
                }
            }
        }
    }

    /** Records the release's status points and public steps, and deletes no pod. */
    static OperatorPodKiller recorder(KubernetesClient client, String namespace, String release) {
        return new OperatorPodKiller(client, namespace, release, null);
    }

    private String deleteOperatorPod() {
        List<Pod> pods = operatorPods(client);
        if (pods.isEmpty()) {
            throw new IllegalStateException("no operator pod to delete");
        }
        Pod pod = pods.get(0);
        client.pods().inNamespace(OPERATOR_NAMESPACE).resource(pod).delete();
        System.out.printf(
                "cluster: deleted the operator pod %s at stage %s%n",
                pod.getMetadata().getName(), killAtStage);
        return pod.getMetadata().getUid();
    }

    static List<Pod> operatorPods(KubernetesClient client) {
        return client.pods()
                .inNamespace(OPERATOR_NAMESPACE)
                .withLabel(OPERATOR_LABEL, "fledge")
                .list()
                .getItems();
    }

    /** The uid of the pod it deleted, or null if the release never reached the stage. */
    String killedPodUid() {
        return killed.get();
    }

    /**
     * The public weights in the order their steps were seen, one per step: a step's start (weight and step start) may
     * be seen more than once in a row, as it starts again while its split is not in place (the canary growing), so
     * consecutive equal weights are one step; a step entered again after a later one shows twice.
     */
    List<Integer> publicWeights() {
        synchronized (publicSteps) {
            List<Integer> weights = new java.util.ArrayList<>();
            for (String s : publicSteps) {
                int w = Integer.parseInt(s.substring(0, s.indexOf('@')));
                if (weights.isEmpty() || weights.get(weights.size() - 1) != w) {
                    weights.add(w);
                }
            }
            return weights;
        }
    }

    /** Every status point polled so far, oldest first. */
    List<Point> points() {
        return List.copyOf(points);
    }

    List<Throwable> errors() {
        synchronized (errors) {
            return List.copyOf(errors);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.interrupt();
        thread.join(5000);
    }
}
