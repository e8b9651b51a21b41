package dev.fledge.operator.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Work made due together by objects made together comes back spread over a quarter of its period. */
class SpreadTest {
    private static final Duration FIVE_MINUTES = Duration.ofMinutes(5);

    @Test
    void aThousandReleasesMadeInTheSameSecondFallDueSpreadOverTheLastQuarterOfThePeriod() {
        Map<Long, Integer> perSecond = new HashMap<>();
        Set<Duration> periods = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            Duration p = Spread.period(
                    UUID.nameUUIDFromBytes(("release-" + i).getBytes()).toString(), FIVE_MINUTES);
            assertThat(p).isBetween(Duration.ofSeconds(225), FIVE_MINUTES);
            perSecond.merge(p.toSeconds(), 1, Integer::sum);
            periods.add(p);
        }
        assertThat(perSecond.keySet())
                .as("seconds in which some fall due again (of 76)")
                .hasSizeGreaterThan(70);
        assertThat(perSecond.values().stream().mapToInt(Integer::intValue).max().orElseThrow())
                .as("most in one second: 13 on average, 1000 without the spread")
                .isLessThanOrEqualTo(30);
        assertThat(periods).hasSizeGreaterThan(990);
    }

    @Test
    void namesThatDifferInTheirLastCharacterAreSpreadToo() {
        Set<Long> seconds = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            seconds.add(
                    Spread.period("bench-1000/release-000" + i, FIVE_MINUTES).toSeconds());
        }
        assertThat(seconds).hasSizeGreaterThan(7);
    }

    @Test
    void anObjectThatAReleaseControlsTakesTheReleasesPeriodSoThePassThatComesBackFindsItsWorkDue() {
        dev.fledge.api.ModelRelease release = new dev.fledge.api.ModelRelease();
        release.setMetadata(new ObjectMetaBuilder()
                .withNamespace("team-a")
                .withName("assistant")
                .withUid("uid-release")
                .build());
        Service owned = new Service();
        owned.setMetadata(new ObjectMetaBuilder()
                .withNamespace("team-a")
                .withName("assistant-stable")
                .withUid("uid-service")
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withUid("uid-release")
                        .withController(true)
                        .build())
                .build());
        Service loose = new Service();
        loose.setMetadata(new ObjectMetaBuilder()
                .withNamespace("team-a")
                .withName("other")
                .build());

        assertThat(Spread.own(release)).isEqualTo("uid-release");
        assertThat(Spread.key(owned)).isEqualTo("uid-release");
        release.getMetadata()
                .setOwnerReferences(List.of(new OwnerReferenceBuilder()
                        .withUid("uid-composition")
                        .withController(true)
                        .build()));
        assertThat(Spread.own(release))
                .as("a release another controller made keeps its own period, not its siblings'")
                .isEqualTo("uid-release");
        assertThat(Spread.key(loose)).isEqualTo("team-a/other");
    }

    @Test
    void theSameKeyHasTheSamePeriodAndAShortPeriodIsKept() {
        assertThat(Spread.period("a", FIVE_MINUTES)).isEqualTo(Spread.period("a", FIVE_MINUTES));
        assertThat(Spread.period("a", Duration.ofMillis(3))).isEqualTo(Duration.ofMillis(3));
    }
}
