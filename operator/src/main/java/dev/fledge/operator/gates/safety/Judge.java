package dev.fledge.operator.gates.safety;

/** Judges one output. Throws {@link ServiceCallFailed} when it cannot. */
public interface Judge {
    Judgement judge(String text);
}
