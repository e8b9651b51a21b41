package dev.fledge.operator.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.operator.mock.MovableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RecentlyFoundTest {
    private final MovableClock clock = MovableClock.stoppedAt(Instant.parse("2026-12-07T08:00:00Z"));
    private final RecentlyFound found = new RecentlyFound(clock, Duration.ofMinutes(1));

    @Test
    void aKeyFoundStandsForItsTimeThenNotAndOtherKeysNever() {
        found.found("ml/public-gw");

        clock.advance(Duration.ofSeconds(59));
        assertThat(found.recently("ml/public-gw")).isTrue();
        assertThat(found.recently("team-b/public-gw"))
                .as("the same name in another namespace")
                .isFalse();

        clock.advance(Duration.ofSeconds(1));
        assertThat(found.recently("ml/public-gw")).isFalse();
    }

    @Test
    void aClockSteppedBackDoesNotMakeAnEntryLastLonger() {
        found.found("ml/public-gw");
        clock.advance(Duration.ofMinutes(-10));

        assertThat(found.recently("ml/public-gw")).isFalse();
    }

    @Test
    void atItsBoundWhatExpiredGoesFirstAndTheNewestIsAlwaysKept() {
        for (int i = 0; i < RecentlyFound.MAX - 1; i++) {
            found.found("old/gw-" + i);
        }
        clock.advance(Duration.ofSeconds(30));
        found.found("ml/public-gw");
        clock.advance(Duration.ofSeconds(31)); // the old ones expired, public-gw has not

        found.found("ml/other-gw");

        assertThat(found.recently("ml/public-gw")).isTrue();
        assertThat(found.recently("ml/other-gw")).isTrue();
        assertThat(found.recently("old/gw-0")).isFalse();
    }
}
