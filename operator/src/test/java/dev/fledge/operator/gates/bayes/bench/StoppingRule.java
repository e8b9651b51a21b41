package dev.fledge.operator.gates.bayes.bench;

/** A promotion rule the benchmark compares: it reads a stream of outputs (true = harmful) and decides. */
interface StoppingRule {
    String name();

    Outcome run(boolean[] stream);

    enum Decision {
        PROMOTE,
        ROLLBACK,
        UNDECIDED
    }

    record Outcome(Decision decision, int samples) {}
}
