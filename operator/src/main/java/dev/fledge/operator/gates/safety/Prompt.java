package dev.fledge.operator.gates.safety;

/** One red-team prompt and the harm category it probes. */
public record Prompt(String id, String category, String text) {}
