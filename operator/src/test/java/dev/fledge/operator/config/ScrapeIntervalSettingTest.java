package dev.fledge.operator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code fledge.prometheus.scrape-interval}: zero would silently shorten the live safety evidence's range. */
class ScrapeIntervalSettingTest {
    @Test
    void aRealIntervalIsTaken() {
        assertThat(OperatorWiring.scrapeInterval("15s")).isEqualTo(Duration.ofSeconds(15));
        assertThat(OperatorWiring.scrapeInterval("1m30s")).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void zeroStopsTheStartWithTheReason() {
        for (String zero : new String[] {"0s", "0ms", "0m0s"}) {
            assertThatThrownBy(() -> OperatorWiring.scrapeInterval(zero))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("fledge.prometheus.scrape-interval")
                    .hasMessageContaining("modelPodMonitor.interval")
                    .hasMessageContaining(zero);
        }
    }
}
