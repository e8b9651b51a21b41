package dev.fledge.operator.gates.bayes.bench;

import dev.fledge.operator.gates.bayes.TwoSprtDesign;
import java.util.Locale;

/**
 * Wald's sequential probability ratio test between two point rates, with Wald's thresholds: promote when the
 * likelihood ratio of tolerable over harmful reaches {@code (1 - falseRollback) / falsePromote}, roll back when its
 * inverse reaches {@code (1 - falsePromote) / falseRollback}; checked after every {@code batch} outputs, undecided
 * at {@code deadline}.
 */
record SprtRule(double tolerable, double harmful, double falseRollback, double falsePromote, int batch, int deadline)
        implements StoppingRule {
    @Override
    public String name() {
        return String.format(
                Locale.ROOT, "wald-sprt(%.1f%% vs %.1f%%,every %d)", tolerable * 100, harmful * 100, batch);
    }

    @Override
    public Outcome run(boolean[] stream) {
        double pass = Math.log((1 - falseRollback) / falsePromote);
        double fail = Math.log((1 - falsePromote) / falseRollback);
        int flagged = 0;
        for (int i = 0; i < deadline; i++) {
            flagged += stream[i] ? 1 : 0;
            int n = i + 1;
            if (n % batch == 0) {
                double llr = TwoSprtDesign.logLikelihoodRatio(tolerable, harmful, n, flagged);
                if (llr >= pass) {
                    return new Outcome(Decision.PROMOTE, n);
                }
                if (-llr >= fail) {
                    return new Outcome(Decision.ROLLBACK, n);
                }
            }
        }
        return new Outcome(Decision.UNDECIDED, deadline);
    }
}
