package dev.fledge.operator.routing;

/** Replica counts of the stable and canary Deployments for one split. */
public record Replicas(int stable, int canary) {}
