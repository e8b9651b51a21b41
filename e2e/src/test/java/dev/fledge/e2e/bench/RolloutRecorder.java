package dev.fledge.e2e.bench;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * Benchmark harness: watches the releases and their HTTPRoutes, and keeps, per release, when each route change was
 * seen (wall clock, the same clock the operator stamps status with) and each status in order. {@link Latencies}
 * turns them into verdict-to-route latencies afterwards.
 */
final class RolloutRecorder implements AutoCloseable {
    /** A route spec change (generation bump) seen at {@code seenAt} epoch millis. */
    record RouteChange(long seenAt, long generation) {}

    /** A release status as the watch delivered it. */
    record StatusSeen(long seenAt, ModelReleaseStatus status) {}

    private final SharedIndexInformer<ModelRelease> releases;
    private final SharedIndexInformer<HTTPRoute> routes;
    final Map<String, List<RouteChange>> routeChanges = new ConcurrentHashMap<>();
    final Map<String, List<StatusSeen>> statuses = new ConcurrentHashMap<>();

    RolloutRecorder(KubernetesClient client, String namespace) {
        this.routes = client.resources(HTTPRoute.class).inNamespace(namespace).inform(handler(this::route));
        this.releases =
                client.resources(ModelRelease.class).inNamespace(namespace).inform(handler(this::release));
    }

    private void route(HTTPRoute old, HTTPRoute now) {
        long seen = System.currentTimeMillis();
        if (old != null
                && Objects.equals(
                        old.getMetadata().getGeneration(), now.getMetadata().getGeneration())) {
            return;
        }
        owner(now)
                .ifPresent(r -> routeChanges
                        .computeIfAbsent(r, k -> new ArrayList<>())
                        .add(new RouteChange(seen, now.getMetadata().getGeneration())));
    }

    private void release(ModelRelease old, ModelRelease now) {
        long seen = System.currentTimeMillis();
        if (old != null
                && Objects.equals(
                        old.getMetadata().getResourceVersion(),
                        now.getMetadata().getResourceVersion())) {
            return; // a resync or relist: no new version
        }
        if (now.getStatus() != null) {
            statuses.computeIfAbsent(
                            now.getMetadata().getName(), k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                    .add(new StatusSeen(seen, now.getStatus()));
        }
    }

    /**
     * The release versions seen since {@link #clear} with a status (each a status write of the operator, or an edit of
     * the release), per transition, and how many showed a gate's "evaluating" placeholder (an analysis whose Prometheus
     * answer came after the answer wait: two writes instead of one), then the writes by what they changed
     * ({@link StatusChanges}).
     */
    String statusWrites(int transitions) {
        long all = 0;
        long placeholders = 0;
        List<List<ModelReleaseStatus>> snapshot = new ArrayList<>();
        for (List<StatusSeen> seen : statuses.values()) {
            List<ModelReleaseStatus> copy;
            synchronized (seen) {
                copy = seen.stream().map(StatusSeen::status).toList();
            }
            snapshot.add(copy);
            for (ModelReleaseStatus s : copy) {
                all++;
                if (StatusChanges.evaluating(s)) {
                    placeholders++;
                }
            }
        }
        return String.format(
                        Locale.ROOT,
                        "%n  release versions seen with a status: %d (%.1f per transition), %d of them with an"
                                + " \"evaluating\" placeholder",
                        all,
                        transitions == 0 ? 0 : (double) all / transitions,
                        placeholders)
                + StatusChanges.of(snapshot).top(20, transitions);
    }

    /**
     * Every route change and status seen since {@link #clear}, one line each in the order seen per release: when, and
     * what a stage change's timing is read from (stage, step, the times the operator stamped, whether a reading was on
     * its way). For finding where a slow stage change waited: e.g. a route seen after the status that says the Gateway
     * accepted it was late on this harness's watch, not in the operator.
     */
    void writeTimeline(java.nio.file.Path file) throws java.io.IOException {
        List<String> lines = new ArrayList<>();
        lines.add("release,seen_ms,what,stage,step,weight,stage_started,step_started,waiting_since,last_analysis,"
                + "evaluating,route_not_accepted");
        routeChanges.forEach((release, changes) -> {
            synchronized (RolloutRecorder.class) {
                changes.forEach(c -> lines.add(release + "," + c.seenAt() + ",route " + c.generation() + ",,,,,,,,,"));
            }
        });
        statuses.forEach((release, seen) -> {
            synchronized (seen) {
                seen.forEach(s -> {
                    ModelReleaseStatus st = s.status();
                    boolean pending = st.getConditions() != null
                            && st.getConditions().stream()
                                    .anyMatch(c ->
                                            "RouteNotAccepted".equals(c.getType()) && "True".equals(c.getStatus()));
                    lines.add(String.join(
                            ",",
                            release,
                            Long.toString(s.seenAt()),
                            "status",
                            String.valueOf(st.getStage()),
                            String.valueOf(st.getStep()),
                            String.valueOf(st.getCanaryWeight()),
                            String.valueOf(st.getStageStartedAt()),
                            String.valueOf(st.getStepStartedAt()),
                            String.valueOf(st.getStepWaitingSince()),
                            String.valueOf(st.getLastAnalysisAt()),
                            Boolean.toString(StatusChanges.evaluating(st)),
                            Boolean.toString(pending)));
                });
            }
        });
        java.nio.file.Files.write(file, lines);
    }

    /** Releases (of those named) whose status satisfies {@code test}, from the informer's cache. */
    long count(Predicate<ModelRelease> test) {
        return releases.getStore().list().stream().filter(test).count();
    }

    /** A release that stopped without promoting (invalid, rolled back, failed): the benchmark cannot go on. */
    Optional<ModelRelease> anyEnded() {
        return releases.getStore().list().stream()
                .filter(mr -> mr.getStatus() != null
                        && (mr.getStatus().getPhase() == Phase.INVALID
                                || mr.getStatus().getPhase() == Phase.ROLLED_BACK
                                || mr.getStatus().getPhase() == Phase.FAILED))
                .findFirst();
    }

    static Predicate<ModelRelease> promoted(String version) {
        return mr -> mr.getStatus() != null
                && mr.getStatus().getPhase() == Phase.PROMOTED
                && version.equals(mr.getStatus().getStableVersion());
    }

    void clear() {
        routeChanges.clear();
        statuses.clear();
    }

    private static Optional<String> owner(HasMetadata o) {
        return o.getMetadata().getOwnerReferences().stream()
                .filter(r -> "ModelRelease".equals(r.getKind()))
                .map(r -> r.getName())
                .findFirst();
    }

    private static <T> ResourceEventHandler<T> handler(BiConsumer<T, T> onChange) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                synchronized (RolloutRecorder.class) {
                    onChange.accept(null, obj);
                }
            }

            @Override
            public void onUpdate(T old, T obj) {
                synchronized (RolloutRecorder.class) {
                    onChange.accept(old, obj);
                }
            }

            @Override
            public void onDelete(T obj, boolean unknown) {}
        };
    }

    @Override
    public void close() {
        releases.close();
        routes.close();
    }
}
