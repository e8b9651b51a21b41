package dev.fledge.testsupport;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteSpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

/**
 * Test harness: plays a Gateway controller. It watches the HTTPRoutes (of the given namespaces, or all) and, as a real
 * Gateway does once it has programmed a route, writes {@code status.parents[]} with {@code Accepted=True} and
 * {@code observedGeneration} = the route's generation for each parentRef. It remembers the spec it last accepted:
 * what the Gateway really serves ({@link #programmed}). A test can {@link #hold} it (the Gateway is slow and accepts
 * nothing new) or make it {@link #reject} routes ({@code Accepted=False}).
 *
 * <p>It plays the Gateway's controller, not the operator: give it a client that may list, watch and write
 * {@code httproutes/status} (an admin client), never the operator's, whose RBAC has no {@code httproutes/status}.
 * Changes are seen through an informer; its cache is looked at every 100 ms, so a held route is taken up once the test
 * lets the Gateway {@link #accept} again. A failed status write (409: the route changed meanwhile) is retried then.
 */
public final class GatewaySimulator implements AutoCloseable {
    public static final String CONTROLLER = "fledge.dev/test-gateway";
    private static final int WRITERS = 4;

    private final KubernetesClient client;
    private final List<SharedIndexInformer<HTTPRoute>> informers = new ArrayList<>();
    private final Map<String, HTTPRouteSpec> programmed = new ConcurrentHashMap<>();
    /** The uid and generation of each route in {@link #programmed}. */
    private final Map<String, String> rememberedVersion = new ConcurrentHashMap<>();
    /**
     * Status writes of one look run on a few threads, as a Gateway controller's workers do: one after the other, a
     * look at hundreds of changed routes took longer than the steps the benchmark times, and it measured this harness
     * rather than the operator.
     */
    private final ExecutorService writers = Executors.newFixedThreadPool(WRITERS, r -> {
        Thread t = new Thread(r, "gateway-simulator-writer");
        t.setDaemon(true);
        return t;
    });

    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean held;
    private volatile String rejectReason;

    private GatewaySimulator(KubernetesClient admin, Set<String> namespaces) {
        // its own client, as a Gateway controller has: closing the operator's client does not stop it, nor the reverse
        this.client = new KubernetesClientBuilder()
                .withConfig(admin.getConfiguration())
                .build();
        if (namespaces.isEmpty()) {
            informers.add(client.resources(HTTPRoute.class).inAnyNamespace().inform());
        } else {
            for (String ns : namespaces) {
                informers.add(client.resources(HTTPRoute.class).inNamespace(ns).inform());
            }
        }
        thread = new Thread(this::run, "gateway-simulator");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Accepts the routes of these namespaces, or of every namespace when none is given, writing their status with a
     * client of its own built from {@code admin}'s configuration (the rights of a Gateway controller, not the
     * operator's). The Gateway API CRDs must be installed.
     */
    public static GatewaySimulator start(KubernetesClient admin, Set<String> namespaces) {
        return new GatewaySimulator(admin, namespaces);
    }

    /** From now on the Gateway accepts no new route generation (it keeps serving what it last accepted). */
    public void hold() {
        held = true;
    }

    /** From now on the Gateway answers every new route generation with {@code Accepted=False} and this reason. */
    public void reject(String reason) {
        rejectReason = reason;
    }

    /** Back to accepting every route. */
    public void accept() {
        held = false;
        rejectReason = null;
    }

    /** The spec the Gateway last accepted for a route: what it serves. */
    public Optional<HTTPRouteSpec> programmed(String namespace, String name) {
        return Optional.ofNullable(programmed.get(namespace + "/" + name));
    }

    private void run() {
        while (running) {
            if (!held) {
                List<Callable<Void>> writes = new ArrayList<>();
                for (SharedIndexInformer<HTTPRoute> informer : informers) {
                    for (HTTPRoute route : informer.getStore().list()) {
                        if (needsWrite(route)) {
                            writes.add(() -> {
                                try {
                                    write(route);
                                } catch (KubernetesClientException | IllegalStateException e) {
                                    // 409 (changed meanwhile) or the server is going away: the next look retries it
                                }
                                return null;
                            });
                        }
                    }
                }
                try {
                    for (Future<Void> done : writers.invokeAll(writes)) {
                        try {
                            done.get();
                        } catch (ExecutionException e) {
                            // not a conflict nor a closing server: a harness bug, shown rather than retried silently
                            System.err.println("GatewaySimulator: status write failed: " + e.getCause());
                            e.getCause().printStackTrace();
                        } catch (CancellationException e) {
                            // closing
                        }
                    }
                } catch (InterruptedException | RejectedExecutionException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Whether the route's status must be written; a route whose status is current is remembered as programmed. */
    private boolean needsWrite(HTTPRoute route) {
        if (route.getSpec() == null || route.getSpec().getParentRefs() == null) {
            return false;
        }
        boolean accept = rejectReason == null;
        if (current(route, route.getMetadata().getGeneration(), accept)) {
            if (accept) {
                remember(route);
            }
            return false;
        }
        return true;
    }

    private void write(HTTPRoute route) {
        Long generation = route.getMetadata().getGeneration();
        String reason = rejectReason;
        boolean accept = reason == null;
        List<RouteParentStatus> parents = new ArrayList<>();
        for (var ref : route.getSpec().getParentRefs()) {
            Condition c = new ConditionBuilder()
                    .withType("Accepted")
                    .withStatus(accept ? "True" : "False")
                    .withReason(accept ? "Accepted" : reason)
                    .withMessage(accept ? "" : "the test Gateway rejects it: " + reason)
                    .withObservedGeneration(generation)
                    .withLastTransitionTime(Instant.now().toString())
                    .build();
            RouteParentStatus p = new RouteParentStatus();
            p.setParentRef(ref);
            p.setControllerName(CONTROLLER);
            p.setConditions(List.of(c));
            parents.add(p);
        }
        HTTPRoute copy = Serialization.clone(route);
        HTTPRouteStatus status = new HTTPRouteStatus();
        status.setParents(parents);
        copy.setStatus(status);
        client.resource(copy).updateStatus();
        if (accept) {
            remember(route);
        }
    }

    /** Keeps the route's spec as programmed; a copy only when its uid or generation is new (not every look). */
    private void remember(HTTPRoute route) {
        String key =
                route.getMetadata().getNamespace() + "/" + route.getMetadata().getName();
        String version =
                route.getMetadata().getUid() + "/" + route.getMetadata().getGeneration();
        if (!version.equals(rememberedVersion.get(key))) {
            programmed.put(key, Serialization.clone(route).getSpec());
            rememberedVersion.put(key, version);
        }
    }

    private static boolean current(HTTPRoute route, Long generation, boolean accept) {
        if (route.getStatus() == null || route.getStatus().getParents() == null) {
            return false;
        }
        List<RouteParentStatus> parents = route.getStatus().getParents();
        return !parents.isEmpty()
                && parents.size() == route.getSpec().getParentRefs().size()
                && parents.stream()
                        .allMatch(p -> p.getConditions() != null
                                && p.getConditions().stream()
                                        .anyMatch(c -> "Accepted".equals(c.getType())
                                                && Objects.equals(c.getObservedGeneration(), generation)
                                                && (accept ? "True" : "False").equals(c.getStatus())));
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writers.shutdownNow();
        informers.forEach(SharedIndexInformer::close);
        client.close();
    }
}
