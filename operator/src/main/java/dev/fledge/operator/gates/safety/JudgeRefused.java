package dev.fledge.operator.gates.safety;

/**
 * The judge may not be called at all (the outbound policy refuses its URL): no output of the run can be judged, so
 * {@link SuiteRunner} sends no further prompt and the run ends with this reason.
 */
final class JudgeRefused extends ServiceCallFailed {
    JudgeRefused(String message) {
        super(message);
    }
}
