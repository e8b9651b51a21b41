package dev.fledge.operator.gates.bayes.bench;

/** The fixed-sample one-sided binomial test: judge {@code n} outputs, roll back if more than {@code limit} are flagged. */
record FixedBinomialRule(int n, int limit) implements StoppingRule {
    @Override
    public String name() {
        return "fixed-binomial(n=" + n + ",rollback>" + limit + ")";
    }

    @Override
    public Outcome run(boolean[] stream) {
        int flagged = 0;
        for (int i = 0; i < n; i++) {
            flagged += stream[i] ? 1 : 0;
        }
        return new Outcome(flagged > limit ? Decision.ROLLBACK : Decision.PROMOTE, n);
    }
}
