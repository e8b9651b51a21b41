package dev.fledge.e2e.local;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.GateResult;
import dev.fledge.api.status.ModelReleaseStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Polls a release's status and keeps every distinct state with the time it was first seen. */
public final class Timeline implements AutoCloseable {
    public record Point(
            Instant at,
            String phase,
            String stage,
            int weight,
            String stepStartedAt,
            String stable,
            String canary,
            List<GateResult> gates,
            String message) {
        String key() {
            return phase + "|" + stage + "|" + weight + "|" + stepStartedAt + "|" + stable + "|" + canary + "|"
                    + gateKey();
        }

        private String gateKey() {
            return gates.stream()
                    .map(g -> g.getName() + g.getVerdict() + g.getSamples() + g.getAt())
                    .toList()
                    .toString();
        }
    }

    private final List<Point> points = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();

    public Timeline(KubernetesClient client, String namespace, String release, Consumer<Point> onChange) {
        loop.scheduleWithFixedDelay(
                () -> {
                    try {
                        ModelRelease mr = client.resources(ModelRelease.class)
                                .inNamespace(namespace)
                                .withName(release)
                                .get();
                        if (mr == null
                                || mr.getStatus() == null
                                || mr.getStatus().getPhase() == null) {
                            return;
                        }
                        ModelReleaseStatus s = mr.getStatus();
                        Point p = new Point(
                                Instant.now(),
                                s.getPhase() == null ? "" : s.getPhase().wireName(),
                                s.getStage(),
                                s.getCanaryWeight() == null ? 0 : s.getCanaryWeight(),
                                s.getStepStartedAt(),
                                s.getStableVersion(),
                                s.getCanaryVersion(),
                                s.getGates() == null ? List.of() : List.copyOf(s.getGates()),
                                s.getMessage());
                        if (points.isEmpty()
                                || !Objects.equals(points.get(points.size() - 1).key(), p.key())) {
                            points.add(p);
                            onChange.accept(p);
                        }
                    } catch (RuntimeException e) {
                        // transient API error: next poll
                    }
                },
                0,
                100,
                TimeUnit.MILLISECONDS);
    }

    public List<Point> points() {
        return new ArrayList<>(points);
    }

    @Override
    public void close() {
        loop.shutdownNow();
    }
}
