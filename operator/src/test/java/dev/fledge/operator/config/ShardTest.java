package dev.fledge.operator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** fledge.sharding.selector: a selector on fledge.dev/shard alone, which the Deployment informer can use as well. */
class ShardTest {

    @Test
    void noSelectorIsEveryReleaseAndTheDeploymentInformerSelectsTheOperatorsDeployments() {
        for (Shard all : new Shard[] {Shard.all(), new Shard(Optional.of("  ")), Shard.of(null)}) {
            assertThat(all.sharded()).isFalse();
            assertThat(all.deploymentSelector()).isEqualTo("fledge.dev/release");
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "fledge.dev/shard=b",
                "fledge.dev/shard == b-2",
                "fledge.dev/shard in (a, b)",
                "fledge.dev/shard notin (b,c.d,e_f)",
                "fledge.dev/shard!=b",
                "!fledge.dev/shard"
            })
    void aSelectorOnTheShardLabelAlsoSelectsTheShardsDeployments(String selector) {
        Shard shard = Shard.of(" " + selector + " ");
        assertThat(shard.sharded()).isTrue();
        assertThat(shard.deploymentSelector()).isEqualTo("fledge.dev/release," + selector);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "team=a",
                "fledge.dev/shard=b,team=a",
                "fledge.dev/shard in ()",
                "fledge.dev/shard=-b",
                "fledge.dev/shard=b)"
            })
    void anyOtherSelectorStopsTheStartWithTheForms(String selector) {
        assertThatThrownBy(() -> Shard.of(selector))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fledge.sharding.selector '" + selector + "'")
                .hasMessageContaining("fledge.dev/shard notin (A,B)");
    }
}
