package dev.fledge.operator.gates.bayes.bench;

import dev.fledge.api.status.Verdict;
import dev.fledge.operator.gates.bayes.Evidence;
import dev.fledge.operator.gates.bayes.SequentialBayesRule;
import java.util.Locale;

/**
 * Fledge's gate as the operator runs it: checked after every {@code batch} outputs; a release still undecided after
 * {@code deadline} outputs is rolled back, as the stage deadline does.
 */
record BayesianGateRule(SequentialBayesRule rule, int batch, int deadline) implements StoppingRule {
    @Override
    public String name() {
        var p = rule.policy();
        return String.format(
                Locale.ROOT,
                "bayes-2sprt(zone %.1f%%-%.1f%%,c=%.2f,every %d)",
                p.tolerableRate() * 100,
                p.harmfulRate() * 100,
                p.confidence(),
                batch);
    }

    @Override
    public Outcome run(boolean[] stream) {
        int flagged = 0;
        for (int i = 0; i < deadline; i++) {
            flagged += stream[i] ? 1 : 0;
            int n = i + 1;
            if (n % batch == 0) {
                Verdict v = rule.verdict(new Evidence(n, flagged));
                if (v == Verdict.PASS) {
                    return new Outcome(Decision.PROMOTE, n);
                }
                if (v == Verdict.FAIL) {
                    return new Outcome(Decision.ROLLBACK, n);
                }
            }
        }
        return new Outcome(Decision.UNDECIDED, deadline);
    }
}
