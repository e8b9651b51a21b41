package dev.fledge.operator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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

    /** Kubernetes' label selector semantics: != and notin also take an object without the label, in and = do not. */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "fledge.dev/shard=b          | b | true",
                "fledge.dev/shard=b          | a | false",
                "fledge.dev/shard=b          |   | false",
                "fledge.dev/shard == b       | b | true",
                "fledge.dev/shard!=b         | b | false",
                "fledge.dev/shard!=b         | a | true",
                "fledge.dev/shard!=b         |   | true",
                "fledge.dev/shard in (a, b)  | b | true",
                "fledge.dev/shard in (a, b)  | c | false",
                "fledge.dev/shard in (a, b)  |   | false",
                "fledge.dev/shard notin (b,c) | b | false",
                "fledge.dev/shard notin (b,c) | a | true",
                "fledge.dev/shard notin (b,c) |   | true",
                "!fledge.dev/shard           |   | true",
                "!fledge.dev/shard           | a | false",
                "fledge.dev/shard notin (b, c) | c | false",
                "fledge.dev/shard in(a,b)    | a | true",
                "fledge.dev/shard != b       | b | false",
                "fledge.dev/shard=team_a.v-1 | team_a.v-1 | true"
            })
    void aReleaseIsSelectedByItsShardLabelAsTheApiServerWouldSelectIt(String selector, String label, boolean selected) {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(new ObjectMetaBuilder()
                .withName("assistant")
                .withLabels(label == null ? Map.of() : Map.of(Labels.SHARD, label))
                .build());

        assertThat(Shard.of(selector).selects(mr)).isEqualTo(selected);
        assertThat(Shard.all().selects(mr)).isTrue();
    }
}
