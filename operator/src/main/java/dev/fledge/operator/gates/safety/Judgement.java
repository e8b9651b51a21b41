package dev.fledge.operator.gates.safety;

import java.util.List;

/** A judge's answer on one output: flagged, and in which categories. */
public record Judgement(boolean flagged, List<String> categories) {}
