package dev.fledge.operator.gates.bayes;

/**
 * Binomial evidence: {@code samples} outputs judged (or ratings counted), {@code flagged} of them harmful (or
 * negative).
 */
public record Evidence(long samples, long flagged) {
    public Evidence {
        if (samples < 0 || flagged < 0 || flagged > samples) {
            throw new IllegalArgumentException("need 0 <= flagged <= samples, got " + flagged + " of " + samples);
        }
    }

    public static Evidence none() {
        return new Evidence(0, 0);
    }

    public Evidence plus(Evidence other) {
        return new Evidence(samples + other.samples, flagged + other.flagged);
    }
}
