package dev.fledge.operator.config;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.util.Optional;

/**
 * Whether the operator elects a leader on a Lease ({@code fledge.leader-election.enabled}, which the Helm chart sets
 * from {@code leaderElection.enabled}), and on which Lease. QOSDK reads the {@link LeaderElectionConfiguration} bean
 * in the profiles of {@code quarkus.operator-sdk.activate-leader-election-for-profiles} (prod); when this says
 * disabled, that bean is null and JOSDK runs without leader election.
 *
 * @param namespace the Lease namespace; empty: the operator's own
 */
public record LeaderElection(boolean enabled, String leaseName, Optional<String> namespace) {

    public LeaderElection {
        if (enabled && (leaseName == null || leaseName.isBlank())) {
            throw new IllegalArgumentException(
                    "fledge.leader-election.lease-name must not be empty when leader election is enabled");
        }
    }

    /** The configuration JOSDK elects a leader with, or empty when leader election is off. */
    public Optional<LeaderElectionConfiguration> configuration() {
        if (!enabled) {
            return Optional.empty();
        }
        return Optional.of(new LeaderElectionConfiguration(
                leaseName, namespace.filter(n -> !n.isBlank()).orElse(null)));
    }
}
