package dev.fledge.operator.gates.safety;

/**
 * What one suite run found: the canary's run, and the stable version's run when the gate compares with stable
 * ({@code stable} null otherwise).
 */
public record SuiteResults(SuiteRun canary, SuiteRun stable) {}
