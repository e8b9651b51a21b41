package dev.fledge.operator.gates.bayes.bench;

/** The plain threshold rule of metric-threshold canary tools: after {@code n} outputs, promote if observed rate <= max. */
record ThresholdRule(int n, double max) implements StoppingRule {
    @Override
    public String name() {
        return "threshold(n=" + n + ",rate<=" + max + ")";
    }

    @Override
    public Outcome run(boolean[] stream) {
        int flagged = 0;
        for (int i = 0; i < n; i++) {
            flagged += stream[i] ? 1 : 0;
        }
        return new Outcome((double) flagged / n <= max ? Decision.PROMOTE : Decision.ROLLBACK, n);
    }
}
