package dev.fledge.e2e.cluster;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.ModelReleaseStatus;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What the shadow stage on Traefik is made of, polled every 200 ms from a thread of its own while a version runs: the
 * release's status, the backendRefs of its public rule, the RequestMirror filters of the namespace's HTTPRoutes and its
 * TraefikServices, one {@link Snapshot} a poll. The safety gate ends the stage as soon as it has live evidence, so it
 * is recorded as it runs rather than awaited and read. A failed read is retried, and kept for the assertions' messages.
 */
final class TraefikShadowLog implements AutoCloseable {
    static final String TRAEFIK_SERVICE_API = "traefik.io/v1alpha1";
    static final String TRAEFIK_SERVICE = "TraefikService";

    /**
     * One poll: the status' stage, canary and {@code mirrorPercent}; the public rule's backendRefs as
     * {@code group/kind/name}; each RequestMirror filter of a route as {@code route:backend}; each TraefikService by
     * name.
     */
    record Snapshot(
            Instant at,
            String stage,
            String canary,
            Integer mirrorPercent,
            List<String> publicBackends,
            List<String> requestMirrors,
            Map<String, GenericKubernetesResource> traefikServices) {}

    private final KubernetesClient client;
    private final String namespace;
    private final String release;
    private final Queue<Snapshot> snapshots = new ConcurrentLinkedQueue<>();
    private final Queue<String> errors = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean stopped;

    TraefikShadowLog(KubernetesClient client, String namespace, String release) {
        this.client = client;
        this.namespace = namespace;
        this.release = release;
        this.thread = new Thread(this::run, "traefik-shadow-log");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void run() {
        while (!stopped) {
            try {
                snapshots.add(snapshot());
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (errors.size() < 5) {
                    errors.add(Instant.now() + " " + e);
                }
            }
        }
    }

    private Snapshot snapshot() {
        ModelRelease mr = client.resources(ModelRelease.class)
                .inNamespace(namespace)
                .withName(release)
                .get();
        ModelReleaseStatus st = mr == null || mr.getStatus() == null ? new ModelReleaseStatus() : mr.getStatus();
        List<String> publicBackends = new ArrayList<>();
        List<String> mirrors = new ArrayList<>();
        for (HTTPRoute route :
                client.resources(HTTPRoute.class).inNamespace(namespace).list().getItems()) {
            for (HTTPRouteRule rule :
                    Objects.requireNonNullElse(route.getSpec().getRules(), List.<HTTPRouteRule>of())) {
                if (route.getMetadata().getName().equals(release) && isPublic(rule) && rule.getBackendRefs() != null) {
                    rule.getBackendRefs().forEach(b -> publicBackends.add(backend(b)));
                }
                if (rule.getFilters() != null) {
                    rule.getFilters().stream()
                            .filter(f -> f.getRequestMirror() != null || "RequestMirror".equals(f.getType()))
                            .forEach(f -> mirrors.add(route.getMetadata().getName() + ":" + f.getRequestMirror()));
                }
            }
        }
        Map<String, GenericKubernetesResource> services = new TreeMap<>();
        client.genericKubernetesResources(TRAEFIK_SERVICE_API, TRAEFIK_SERVICE)
                .inNamespace(namespace)
                .list()
                .getItems()
                .forEach(s -> services.put(s.getMetadata().getName(), s));
        return new Snapshot(
                Instant.now(),
                st.getStage(),
                st.getCanaryVersion(),
                st.getMirrorPercent(),
                publicBackends,
                mirrors,
                services);
    }

    /** The rule of the public: no {@code X-Fledge-Audience} header match. */
    static boolean isPublic(HTTPRouteRule rule) {
        return rule.getMatches() == null
                || rule.getMatches().stream()
                        .map(HTTPRouteMatch::getHeaders)
                        .filter(Objects::nonNull)
                        .flatMap(List::stream)
                        .noneMatch(h -> Labels.AUDIENCE_HEADER.equalsIgnoreCase(h.getName()));
    }

    /** {@code group/kind/name} of a backendRef, as stored (the API server defaults group "" and kind Service). */
    static String backend(HTTPBackendRef b) {
        return b.getGroup() + "/" + b.getKind() + "/" + b.getName();
    }

    /**
     * A TraefikService's {@code spec.mirroring} as {@code stable:port -> [canary:port at percent%, ...]}, or what its
     * spec is when it has no mirroring.
     */
    @SuppressWarnings("unchecked")
    static String mirroring(GenericKubernetesResource s) {
        Object spec = s.getAdditionalProperties().get("spec");
        if (!(spec instanceof Map<?, ?> m) || !(m.get("mirroring") instanceof Map<?, ?> mirroring)) {
            return "no spec.mirroring: " + spec;
        }
        List<String> mirrors = ((List<Map<String, Object>>)
                        Objects.requireNonNullElse(mirroring.get("mirrors"), List.of()))
                .stream()
                        .map(c -> c.get("name") + ":" + c.get("port") + " at " + c.get("percent") + "%")
                        .toList();
        return mirroring.get("name") + ":" + mirroring.get("port") + " -> " + mirrors;
    }

    /** When the shadow stage was first seen after {@code applied}, how long it was seen, and its TraefikServices. */
    static String span(Instant applied, List<Snapshot> shadow) {
        if (shadow.isEmpty()) {
            return "never seen in the shadow stage";
        }
        Snapshot first = shadow.get(0);
        return "in the shadow stage " + Duration.between(applied, first.at()).toSeconds() + " s after it was applied,"
                + " seen there for "
                + Duration.between(first.at(), shadow.get(shadow.size() - 1).at())
                        .toSeconds()
                + " s, mirrored through TraefikServices "
                + shadow.stream()
                        .flatMap(p -> p.traefikServices().keySet().stream())
                        .distinct()
                        .toList();
    }

    /** Every snapshot so far, oldest first. */
    List<Snapshot> snapshots() {
        return List.copyOf(snapshots);
    }

    /** The snapshots whose status is {@code version}'s shadow stage. */
    List<Snapshot> inShadow(String version) {
        return snapshots.stream()
                .filter(s -> "shadow".equals(s.stage()) && version.equals(s.canary()))
                .toList();
    }

    /** Reads that failed (the first 5), for the assertions' messages. */
    List<String> errors() {
        return List.copyOf(errors);
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.interrupt();
        thread.join(5000);
    }
}
