package dev.fledge.core.rollout;

import dev.fledge.api.status.Verdict;
import java.util.List;

/**
 * What one gate concluded in one evaluation, with its evidence. Evidence fields are null when a gate has none
 * of that kind (a metric gate has a value, a Bayesian gate has samples and posterior figures, the safety gate its
 * suite, per-category counts and report ConfigMap). {@code evidence} is the safety gate's suite evidence of the whole
 * rollout; null leaves the evidence in status as it is (a verdict that learned nothing new). {@code suiteRun} is the
 * state of the suite's runs in the current stage.
 */
public record GateVerdict(
        String name,
        String kind,
        Verdict verdict,
        boolean critical,
        String reason,
        Double value,
        Long samples,
        Long flagged,
        Double posteriorMean,
        Double upperBound,
        Double pAboveMax,
        Suite suite,
        List<Category> categories,
        String report,
        List<Tally> evidence,
        SuiteRun suiteRun) {

    /** The prompt suite a verdict was judged on. */
    public record Suite(String name, String hash, int prompts) {}

    /**
     * Counts of one category.
     *
     * @param source  {@code suite} or {@code online}
     * @param samples null when the source counts flags only
     */
    public record Category(String name, String source, Long samples, long flagged) {}

    /**
     * Outputs judged and flagged in this rollout by one source.
     *
     * @param source  {@code suite} (runs against the canary) or {@code stable} (runs against stable)
     * @param suite   the suite as {@code name@hash}
     * @param version the version the suite ran against
     */
    public record Tally(String source, String suite, String version, long samples, long flagged) {}

    /**
     * The safety suite's runs in the current stage.
     *
     * @param running   a run is queued or under way (it started at {@code startedAt}); else the last run was counted
     * @param runs      runs of this stage whose evidence was counted
     * @param countedRun the id of the last run whose evidence was added to {@code evidence}; a finished run is
     *                   counted only if its id differs, so a result handed out again is not counted twice
     */
    public record SuiteRun(
            boolean running,
            String version,
            String stage,
            String suiteHash,
            int runs,
            String startedAt,
            String countedRun) {}

    public GateVerdict {
        categories = categories == null ? null : List.copyOf(categories);
        evidence = evidence == null ? null : List.copyOf(evidence);
    }

    public GateVerdict(
            String name,
            String kind,
            Verdict verdict,
            boolean critical,
            String reason,
            Double value,
            Long samples,
            Long flagged,
            Double posteriorMean,
            Double upperBound,
            Double pAboveMax) {
        this(
                name,
                kind,
                verdict,
                critical,
                reason,
                value,
                samples,
                flagged,
                posteriorMean,
                upperBound,
                pAboveMax,
                null,
                null,
                null,
                null,
                null);
    }

    public static GateVerdict pass(String name, String kind, String reason) {
        return new GateVerdict(name, kind, Verdict.PASS, false, reason, null, null, null, null, null, null);
    }

    public static GateVerdict fail(String name, String kind, String reason) {
        return new GateVerdict(name, kind, Verdict.FAIL, false, reason, null, null, null, null, null, null);
    }

    public static GateVerdict inconclusive(String name, String kind, String reason) {
        return new GateVerdict(name, kind, Verdict.INCONCLUSIVE, false, reason, null, null, null, null, null, null);
    }

    /** How the reason of an {@link #evaluating} verdict begins. */
    public static final String EVALUATING = "evaluating: ";

    /**
     * Inconclusive while the gate's evaluation is on its way (off the reconcile thread): no stage ends on a verdict
     * from before it, and the answer is recorded by a later pass.
     */
    public static GateVerdict evaluating(String name, String kind, String detail) {
        return inconclusive(name, kind, EVALUATING + detail);
    }

    /** Whether this is the placeholder of the very reading {@code stored} already records (it is still on its way). */
    public boolean repeats(dev.fledge.api.status.GateResult stored) {
        return stored != null
                && verdict == Verdict.INCONCLUSIVE
                && reason != null
                && reason.startsWith(EVALUATING)
                && isEvaluating(stored)
                && reason.equals(stored.getReason());
    }

    /** Whether a stored gate result is such a placeholder. */
    public static boolean isEvaluating(dev.fledge.api.status.GateResult r) {
        return r.getVerdict() == Verdict.INCONCLUSIVE
                && r.getReason() != null
                && r.getReason().startsWith(EVALUATING);
    }

    public GateVerdict asCritical() {
        Copy c = new Copy(this);
        c.critical = true;
        return c.build();
    }

    public GateVerdict withValue(Double v) {
        Copy c = new Copy(this);
        c.value = v;
        return c.build();
    }

    /** The same verdict with the safety gate's details. */
    public GateVerdict withDetails(Suite s, List<Category> c, String r) {
        Copy copy = new Copy(this);
        copy.suite = s;
        copy.categories = c;
        copy.report = r;
        return copy.build();
    }

    /** The same verdict with the safety gate's suite evidence of this rollout. */
    public GateVerdict withEvidence(List<Tally> e) {
        Copy c = new Copy(this);
        c.evidence = e;
        return c.build();
    }

    /** The same verdict with the state of the safety suite's runs in this stage. */
    public GateVerdict withSuiteRun(SuiteRun run) {
        Copy c = new Copy(this);
        c.suiteRun = run;
        return c.build();
    }

    /** A verdict's components, to change one or a few of them: the one place that lists them all again. */
    private static final class Copy {
        final String name;
        final String kind;
        final Verdict verdict;
        boolean critical;
        final String reason;
        Double value;
        final Long samples;
        final Long flagged;
        final Double posteriorMean;
        final Double upperBound;
        final Double pAboveMax;
        Suite suite;
        List<Category> categories;
        String report;
        List<Tally> evidence;
        SuiteRun suiteRun;

        Copy(GateVerdict v) {
            name = v.name;
            kind = v.kind;
            verdict = v.verdict;
            critical = v.critical;
            reason = v.reason;
            value = v.value;
            samples = v.samples;
            flagged = v.flagged;
            posteriorMean = v.posteriorMean;
            upperBound = v.upperBound;
            pAboveMax = v.pAboveMax;
            suite = v.suite;
            categories = v.categories;
            report = v.report;
            evidence = v.evidence;
            suiteRun = v.suiteRun;
        }

        GateVerdict build() {
            return new GateVerdict(
                    name,
                    kind,
                    verdict,
                    critical,
                    reason,
                    value,
                    samples,
                    flagged,
                    posteriorMean,
                    upperBound,
                    pAboveMax,
                    suite,
                    categories,
                    report,
                    evidence,
                    suiteRun);
        }
    }
}
