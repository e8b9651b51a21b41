package dev.fledge.cli;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.CapacityStatus;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.TrackCapacity;
import dev.fledge.core.rollout.Plan;
import dev.fledge.core.rollout.PlanResolver;
import dev.fledge.core.rollout.Splits;
import dev.fledge.core.rollout.TrafficSplit;
import io.fabric8.kubernetes.api.model.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** {@code kubectl fledge get NAME}: one release drawn as a tree. Pure: release, events and time in, text out. */
final class ReleaseTree {
    static final int EVENTS_SHOWN = 8;
    private final PlanResolver plans;
    private final Style style;

    ReleaseTree(PlanResolver plans, Style style) {
        this.plans = plans;
        this.style = style;
    }

    /** The release's Events, oldest first, or why they could not be read. */
    record Events(List<Event> list, String unavailable) {}

    String render(ModelRelease mr, Events events, Instant now) {
        ModelReleaseStatus st = mr.getStatus() == null ? new ModelReleaseStatus() : mr.getStatus();
        Plan plan = plans.resolve(mr.getSpec());
        NextStep next = new NextStep(plan, st, now);
        Tree root = new Tree(header(mr, st, plan, next, now));
        root.add(new StageLines(plan, st, now, style).tree());
        root.add(traffic(st));
        capacity(st).ifPresent(root::add);
        next.line(mr.getMetadata().getName()).ifPresent(line -> root.add("Next: " + line));
        root.add(new GateLines(plan, st, now, style).tree());
        root.add(events(events, now));
        return root.render();
    }

    private List<String> header(ModelRelease mr, ModelReleaseStatus st, Plan plan, NextStep next, Instant now) {
        List<String> lines = new ArrayList<>();
        String phase = st.getPhase() == null
                ? "Unknown (not reconciled yet)"
                : st.getPhase().wireName();
        lines.add(style.bold("ModelRelease " + mr.getMetadata().getNamespace() + "/"
                        + mr.getMetadata().getName()) + "   " + style.phase(st.getPhase(), phase));
        List<String> facts = new ArrayList<>();
        facts.add("desired " + plan.version());
        facts.add("stable " + orDash(st.getStableVersion()));
        facts.add("canary " + orDash(st.getCanaryVersion()));
        if (st.getRolloutStartedAt() != null) {
            facts.add("started " + Durations.age(Duration.between(Instant.parse(st.getRolloutStartedAt()), now))
                    + " ago");
        }
        next.deadline()
                .ifPresent(d ->
                        facts.add(d.isNegative() ? style.bad("deadline passed") : "deadline in " + Durations.exact(d)));
        if (Boolean.TRUE.equals(mr.getSpec().getPaused())) {
            facts.add(style.warn("spec.paused"));
        }
        lines.add(String.join(", ", facts));
        if (st.getMessage() != null && !st.getMessage().isBlank()) {
            lines.add(st.getMessage().replaceAll("\\s*\\n\\s*", " "));
        }
        // an annotation status.action records as read is applied already; the operator only removes it
        PendingAction.on(mr)
                .unread()
                .ifPresent(a ->
                        lines.add(style.warn(Labels.ACTION + "=" + a + " is waiting for the operator to consume it")));
        Long gen = mr.getMetadata().getGeneration();
        if (gen != null && st.getObservedGeneration() != null && st.getObservedGeneration() < gen) {
            lines.add(style.warn("status is for generation " + st.getObservedGeneration() + " of " + gen
                    + ": the operator has not seen the latest spec yet"));
        }
        return lines;
    }

    private Tree traffic(ModelReleaseStatus st) {
        TrafficSplit split = Splits.of(st);
        int weight = split.publicCanaryWeight();
        Tree t = new Tree("Traffic (canary weight " + weight + "%)");
        if (split.stableVersion() == null && split.canaryVersion() == null) {
            return t.add(style.dim("no version serves yet"));
        }
        Table rows = new Table("", "");
        for (String audience : List.of("internal", "closed")) {
            rows.row(
                    audience,
                    (split.audienceOnCanary(audience)
                                    ? version(split.canaryVersion(), "canary")
                                    : version(split.stableVersion(), "stable"))
                            + mirrored(split, audience));
        }
        String pub = !split.canaryRunning() || weight == 0
                ? version(split.stableVersion(), "stable")
                : weight >= 100 || split.stableVersion() == null
                        ? version(split.canaryVersion(), "canary")
                        : version(split.stableVersion(), "stable") + " " + (100 - weight) + "%, "
                                + version(split.canaryVersion(), "canary") + " " + weight + "%";
        rows.row("public", pub + mirrored(split, "public"));
        rows.render().lines().skip(1).forEach(t::add);
        return t;
    }

    /** The shadow stage's copy of an audience's requests: its answers go to no one. */
    private static String mirrored(TrafficSplit split, String audience) {
        int percent = split.mirrors(audience);
        return percent == 0
                ? ""
                : ", " + percent + "% mirrored to " + split.canaryVersion() + " (canary, answers discarded)";
    }

    /** Each track's replicas (ready of desired) and GPUs, as the operator last read them; absent before it did. */
    private java.util.Optional<Tree> capacity(ModelReleaseStatus st) {
        CapacityStatus c = st.getCapacity();
        if (c == null || (c.getStable() == null && c.getCanary() == null)) {
            return java.util.Optional.empty();
        }
        Tree t = new Tree("Capacity");
        Table rows = new Table("", "");
        track(rows, "stable", c.getStable());
        track(rows, "canary", c.getCanary());
        rows.render().lines().skip(1).forEach(t::add);
        if (st.getCanaryHeldWeight() != null) {
            t.add(style.warn("routes held at " + st.getCanaryHeldWeight()
                    + "% on the canary until the track taking more of the traffic is ready for it"));
        }
        return java.util.Optional.of(t);
    }

    private void track(Table rows, String name, TrackCapacity t) {
        if (t == null) {
            return;
        }
        int desired = t.getReplicas() == null ? 0 : t.getReplicas();
        int ready = t.getReadyReplicas() == null ? 0 : t.getReadyReplicas();
        String pods = ready + "/" + desired + " ready";
        long gpus = t.getGpus() == null ? 0 : t.getGpus();
        rows.row(
                name,
                (ready < desired ? style.warn(pods) : pods)
                        + (gpus > 0 ? ", " + gpus + (gpus == 1 ? " GPU" : " GPUs") : ""));
    }

    private String version(String v, String track) {
        return v == null ? style.dim("nothing (no " + track + " yet)") : v + " (" + track + ")";
    }

    private Tree events(Events found, Instant now) {
        List<Event> events = found.list();
        if (found.unavailable() != null) {
            return new Tree("Events").add(style.warn("not shown: " + found.unavailable()));
        }
        Tree t = new Tree("Events"
                + (events.size() > EVENTS_SHOWN ? " (last " + EVENTS_SHOWN + " of " + events.size() + ")" : ""));
        if (events.isEmpty()) {
            return t.add(style.dim("none"));
        }
        Table rows = new Table("", "", "", "");
        for (Event e : events.subList(Math.max(0, events.size() - EVENTS_SHOWN), events.size())) {
            boolean warning = "Warning".equals(e.getType());
            rows.row(
                    Durations.age(Duration.between(EventTimes.last(e), now)) + repeats(e),
                    warning ? style.bad(e.getType()) : orDash(e.getType()),
                    orDash(e.getReason()),
                    orDash(e.getMessage()).replaceAll("\\s*\\n\\s*", " "));
        }
        rows.render().lines().skip(1).forEach(t::add);
        return t;
    }

    /** As {@code kubectl describe}: " (x4 over 2m30s)" for an Event counted 4 times, nothing for one seen once. */
    private static String repeats(Event e) {
        if (e.getCount() == null || e.getCount() < 2) {
            return "";
        }
        Instant first = e.getFirstTimestamp() == null ? EventTimes.last(e) : Instant.parse(e.getFirstTimestamp());
        return " (x" + e.getCount() + " over " + Durations.age(Duration.between(first, EventTimes.last(e))) + ")";
    }

    private static String orDash(String s) {
        return s == null || s.isBlank() ? "-" : s;
    }
}
