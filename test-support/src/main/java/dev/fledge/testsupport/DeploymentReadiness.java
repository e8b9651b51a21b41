package dev.fledge.testsupport;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Predicate;

/**
 * Test harness, not product: neither Fabric8's mock API server nor kube-api-test runs controllers, so this stands in
 * for the Deployment controller and the kubelet. It watches Deployments (one informer, not a poll: a poll of
 * thousands of Deployments would load the API server more than the operator does) and reports every replica updated
 * and ready through the status subresource, on as many workers as kube-controller-manager syncs Deployments by
 * default ({@code --concurrent-deployment-syncs=5}).
 */
public final class DeploymentReadiness implements AutoCloseable {
    private static final int WORKERS = 5;
    /**
     * How often every cached Deployment is offered again (in memory, no request): a status write that failed for
     * another reason than a conflict (a timeout under load, a dropped connection) has no update event of its own to
     * queue it again, and without this its Deployment would stay unready for good.
     */
    private static final Duration RESYNC = Duration.ofSeconds(1);

    private final KubernetesClient client;
    private final Predicate<Deployment> which;
    private final SharedIndexInformer<Deployment> informer;
    private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    private final List<Thread> workers = new ArrayList<>();

    /** For the Deployments of every namespace. */
    public DeploymentReadiness(KubernetesClient client) {
        this(client, null);
    }

    /** For the Deployments of {@code namespace} (every namespace when null). */
    public DeploymentReadiness(KubernetesClient client, String namespace) {
        this(client, namespace, d -> true);
    }

    /**
     * For the Deployments of {@code namespace} (every namespace when null) that {@code which} accepts: the others are
     * left as they are, like a Deployment whose pods never become ready.
     */
    public DeploymentReadiness(KubernetesClient client, String namespace, Predicate<Deployment> which) {
        this.which = which;
        this.client = client;
        var deployments = client.apps().deployments();
        this.informer = (namespace == null ? deployments.inAnyNamespace() : deployments.inNamespace(namespace))
                .inform(
                        new ResourceEventHandler<>() {
                            @Override
                            public void onAdd(Deployment d) {
                                offer(d);
                            }

                            @Override
                            public void onUpdate(Deployment old, Deployment d) {
                                offer(d);
                            }

                            @Override
                            public void onDelete(Deployment d, boolean unknown) {}
                        },
                        RESYNC.toMillis());
        for (int i = 0; i < WORKERS; i++) {
            Thread worker = new Thread(this::run, "deployment-readiness-" + i);
            worker.setDaemon(true);
            worker.start();
            workers.add(worker);
        }
    }

    private void offer(Deployment d) {
        String key = d.getMetadata().getNamespace() + "/" + d.getMetadata().getName();
        if (which.test(d) && !ready(d) && queued.add(key)) {
            queue.add(key);
        }
    }

    private static boolean ready(Deployment d) {
        int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        var s = d.getStatus();
        return s != null
                && Objects.equals(s.getReadyReplicas(), replicas)
                && Objects.equals(s.getUpdatedReplicas(), replicas)
                && Objects.equals(s.getObservedGeneration(), d.getMetadata().getGeneration());
    }

    private void run() {
        while (!Thread.currentThread().isInterrupted()) {
            String key;
            try {
                key = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            queued.remove(key);
            Deployment d = informer.getStore().getByKey(key);
            if (d == null || !which.test(d) || ready(d)) {
                continue;
            }
            int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
            // a copy: the store's object is the informer's own, and marked ready there a failed write would look done
            // to every later resync
            d = new DeploymentBuilder(d).build();
            d.setStatus(new DeploymentStatusBuilder()
                    .withReplicas(replicas)
                    .withReadyReplicas(replicas)
                    .withUpdatedReplicas(replicas)
                    .withAvailableReplicas(replicas)
                    .withObservedGeneration(d.getMetadata().getGeneration())
                    .build());
            try {
                client.apps()
                        .deployments()
                        .inNamespace(d.getMetadata().getNamespace())
                        .resource(d)
                        .updateStatus();
            } catch (KubernetesClientException e) {
                // 409: the operator wrote the Deployment meanwhile, and the informer's update event queues it again;
                // anything else: the next resync does
            }
        }
    }

    @Override
    public void close() {
        workers.forEach(Thread::interrupt);
        informer.close();
    }
}
