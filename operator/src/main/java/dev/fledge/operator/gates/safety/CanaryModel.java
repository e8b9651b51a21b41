package dev.fledge.operator.gates.safety;

/** The model under test: one completion per prompt. Throws {@link ServiceCallFailed} when it cannot answer. */
public interface CanaryModel {
    String complete(String prompt);
}
