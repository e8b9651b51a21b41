package dev.fledge.operator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LeaderElectionTest {

    @Test
    void enabledElectsOnTheNamedLeaseInTheGivenNamespace() {
        LeaderElectionConfiguration c = new LeaderElection(true, "fledge-leader", Optional.of("fledge-system"))
                .configuration()
                .orElseThrow();

        assertThat(c.getLeaseName()).isEqualTo("fledge-leader");
        assertThat(c.getLeaseNamespace()).contains("fledge-system");
    }

    @Test
    void aBlankNamespaceMeansTheOperatorsOwn() {
        assertThat(new LeaderElection(true, "fledge-leader", Optional.of(" "))
                        .configuration()
                        .orElseThrow()
                        .getLeaseNamespace())
                .isEmpty();
    }

    @Test
    void disabledGivesNoConfigurationSoJosdkRunsWithoutElection() {
        assertThat(new LeaderElection(false, "fledge-leader", Optional.of("fledge-system")).configuration())
                .isEmpty();
        assertThat(new OperatorWiring().leaderElection(new LeaderElection(false, "x", Optional.empty())))
                .isNull();
        assertThat(new OperatorWiring()
                        .leaderElection(new OperatorWiring().leaderElectionSettings(true, "x", Optional.empty())))
                .isNotNull();
    }

    @Test
    void theEnvironmentVariableTheChartSetsReachesTheSwitch() {
        // the chart sets FLEDGE_LEADER_ELECTION_ENABLED from leaderElection.enabled; the config key must see it
        var config = new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(
                        Map.of(
                                "FLEDGE_LEADER_ELECTION_ENABLED",
                                "false",
                                "FLEDGE_LEADER_ELECTION_LEASE_NAME",
                                "fledge-leader"),
                        300))
                .build();
        boolean enabled = config.getValue("fledge.leader-election.enabled", Boolean.class);
        String lease = config.getValue("fledge.leader-election.lease-name", String.class);

        assertThat(enabled).isFalse();
        assertThat(new LeaderElection(enabled, lease, Optional.empty()).configuration())
                .isEmpty();
    }

    @Test
    void anEnabledElectionNeedsALeaseName() {
        assertThatThrownBy(() -> new LeaderElection(true, " ", Optional.empty()))
                .hasMessageContaining("lease-name");
    }
}
