package dev.fledge.operator.gates.safety;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * A release's own judge whose URL is checked against the operator's outbound policy before every call, not only once
 * per round (secreview 8, finding 3): a suite run lasts minutes, and the Service the URL names can meanwhile become an
 * ExternalName (say, to Prometheus) or lose its selector. Once a check fails the judge is not called again in this run:
 * each later output fails with the reason, so the run ends with errors and the gate is Inconclusive, saying why.
 */
final class RecheckedJudge implements Judge {
    private final Judge judge;
    private final Supplier<Optional<String>> check;
    private volatile String refused;

    /** {@code check} gives why the judge URL may not be called now, empty when it may. */
    RecheckedJudge(Judge judge, Supplier<Optional<String>> check) {
        this.judge = judge;
        this.check = check;
    }

    @Override
    public Judgement judge(String text) {
        String why = refused;
        if (why == null) {
            Optional<String> denied = check.get();
            if (denied.isPresent()) {
                why = denied.get();
                refused = why;
            }
        }
        if (why != null) {
            throw new ServiceCallFailed(
                    "spec.analysis.safety.judge.url is no longer allowed (checked before each call): " + why);
        }
        return judge.judge(text);
    }
}
