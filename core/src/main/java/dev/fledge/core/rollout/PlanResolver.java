package dev.fledge.core.rollout;

import dev.fledge.api.spec.AnalysisSpec;
import dev.fledge.api.spec.MirrorSource;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.StageName;
import dev.fledge.api.spec.StageSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Applies the documented defaults to a spec (GitOps-friendly: defaults live here, not in the stored object). */
public final class PlanResolver {
    public static final Duration DEFAULT_SHADOW = Duration.ofMinutes(10);
    public static final int DEFAULT_MIRROR_PERCENT = 10;
    public static final Duration DEFAULT_INTERNAL = Duration.ofMinutes(10);
    public static final Duration DEFAULT_CLOSED = Duration.ofMinutes(30);
    public static final Duration DEFAULT_STEP = Duration.ofMinutes(10);
    public static final List<Integer> DEFAULT_STEPS = List.of(5, 25, 50, 100);
    public static final Duration DEFAULT_DEADLINE = Duration.ofHours(2);
    public static final int DEFAULT_REPLICAS = 2;
    public static final String SAFETY_GATE = "safety";
    public static final String FEEDBACK_GATE = "feedback";

    private final Duration defaultInterval;

    public PlanResolver(Duration defaultInterval) {
        this.defaultInterval = defaultInterval;
    }

    public Plan resolve(ModelReleaseSpec spec) {
        List<StageSpec> stages =
                spec.getStages() == null || spec.getStages().isEmpty() ? defaultStages() : spec.getStages();
        Duration interval = Optional.ofNullable(spec.getAnalysis())
                .map(AnalysisSpec::getInterval)
                .map(GoDuration::parse)
                .orElse(defaultInterval);
        int replicas = spec.getServer() == null || spec.getServer().getReplicas() == null
                ? DEFAULT_REPLICAS
                : spec.getServer().getReplicas();
        if (spec.getServer() != null && spec.getServer().getAutoscaling() != null) {
            replicas = spec.getServer().getAutoscaling().min(); // the operator sets each pass's (AutoscaledFloor)
        }
        return new Plan(
                spec.getModel().getVersion(),
                stages.stream().map(PlanResolver::stage).toList(),
                interval,
                GoDuration.parseOr(spec.getProgressDeadline(), DEFAULT_DEADLINE),
                Boolean.TRUE.equals(spec.getPaused()),
                replicas,
                gates(spec.getAnalysis()));
    }

    /** The gates a spec configures; gate names are the metric names, plus {@code safety} and {@code feedback}. */
    static List<GatePlan> gates(AnalysisSpec analysis) {
        if (analysis == null) {
            return List.of();
        }
        List<GatePlan> gates = new ArrayList<>();
        if (analysis.getMetrics() != null) {
            analysis.getMetrics()
                    .forEach(m -> gates.add(
                            new GatePlan(m.getName(), m.getFailureLimit() == null ? 1 : m.getFailureLimit(), false)));
        }
        if (analysis.getSafety() != null) {
            gates.add(new GatePlan(SAFETY_GATE, 1, analysis.getSafety().getSuite() != null));
        }
        if (analysis.getFeedback() != null) {
            gates.add(new GatePlan(FEEDBACK_GATE, 1, false));
        }
        return List.copyOf(gates);
    }

    private static StagePlan stage(StageSpec s) {
        Stage stage = Stage.of(s.getName());
        return switch (stage) {
            case PUBLIC ->
                new StagePlan(
                        stage,
                        Duration.ZERO,
                        s.getSteps() == null ? DEFAULT_STEPS : List.copyOf(s.getSteps()),
                        GoDuration.parseOr(s.getStepDuration(), DEFAULT_STEP));
            case SHADOW ->
                new StagePlan(
                        stage,
                        GoDuration.parseOr(s.getMinDuration(), DEFAULT_SHADOW),
                        List.of(),
                        Duration.ZERO,
                        s.getMirrorPercent() == null ? DEFAULT_MIRROR_PERCENT : s.getMirrorPercent(),
                        s.getMirrorFrom() == null
                                ? List.of()
                                : s.getMirrorFrom().stream()
                                        .map(MirrorSource::wireName)
                                        .toList());
            case INTERNAL ->
                new StagePlan(
                        stage, GoDuration.parseOr(s.getMinDuration(), DEFAULT_INTERNAL), List.of(), Duration.ZERO);
            default ->
                new StagePlan(stage, GoDuration.parseOr(s.getMinDuration(), DEFAULT_CLOSED), List.of(), Duration.ZERO);
        };
    }

    private static List<StageSpec> defaultStages() {
        return List.of(
                new StageSpec().withName(StageName.INTERNAL),
                new StageSpec().withName(StageName.CLOSED),
                new StageSpec().withName(StageName.PUBLIC));
    }
}
