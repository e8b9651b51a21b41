package dev.fledge.operator.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void waitsDoubleAfterEachFailureUpToTheCap() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(5), 0.2, () -> 0.5);

        assertThat(b.after(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(b.after(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(b.after(3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(b.after(4)).isEqualTo(Duration.ofSeconds(5));
        assertThat(b.after(40)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void jitterSpreadsTheWaitWithinItsBounds() {
        assertThat(new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(30), 0.2, () -> 0.0).after(2))
                .isEqualTo(Duration.ofMillis(3200));
        assertThat(new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(30), 0.2, () -> 0.999).after(2))
                .isBetween(Duration.ofMillis(4790), Duration.ofMillis(4800));
        Backoff real = Backoff.standard();
        for (int i = 0; i < 200; i++) {
            assertThat(real.after(1)).isBetween(Duration.ofMillis(800), Duration.ofMillis(1200));
        }
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), 0.1, () -> 0.5))
                .hasMessageContaining("0 < base <= max");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 1.0, () -> 0.5))
                .hasMessageContaining("jitter");
    }
}
