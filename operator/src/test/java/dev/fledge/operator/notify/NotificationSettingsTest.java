package dev.fledge.operator.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fledge.api.spec.NotificationEvent;
import dev.fledge.api.spec.NotificationFormat;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NotificationSettingsTest {

    @Test
    void noUrlMeansNoOperatorWebhook() {
        assertThat(NotificationSettings.global(Optional.empty(), "generic", Optional.empty()))
                .isEmpty();
        assertThat(NotificationSettings.global(Optional.of("  "), "slack", Optional.of("Promoted")))
                .isEmpty();
    }

    @Test
    void theOperatorWebhookTakesItsFormatAndEvents() {
        WebhookTarget t = NotificationSettings.global(
                        Optional.of("https://hooks.example/x"), "slack", Optional.of("RolledBack, Promoted"))
                .orElseThrow();

        assertThat(t.format()).isEqualTo(NotificationFormat.SLACK);
        assertThat(t.events()).containsExactlyInAnyOrder(NotificationEvent.ROLLED_BACK, NotificationEvent.PROMOTED);
        assertThat(t.wants(NotificationEvent.STAGE_STARTED)).isFalse();
        assertThat(NotificationSettings.global(Optional.of("https://hooks.example/x"), "generic", Optional.empty())
                        .orElseThrow()
                        .events())
                .containsExactlyInAnyOrder(NotificationEvent.values());
    }

    @Test
    void badValuesAreRefusedWithTheKeyName() {
        assertThatThrownBy(() -> NotificationSettings.global(Optional.of("https://h/x"), "teams", Optional.empty()))
                .hasMessageContaining("fledge.notifications.format must be generic or slack, got 'teams'");
        assertThatThrownBy(() ->
                        NotificationSettings.global(Optional.of("https://h/x"), "generic", Optional.of("Rollback")))
                .hasMessageContaining("unknown event 'Rollback'")
                .hasMessageContaining("RolledBack");
        assertThatThrownBy(() -> NotificationSettings.global(Optional.of("hooks.example"), "generic", Optional.empty()))
                .hasMessageContaining("fledge.notifications.webhook-url must be an http(s) URL");
        assertThatThrownBy(() ->
                        new NotificationSettings(Optional.empty(), Duration.ofSeconds(1), 0, Backoff.standard(), 10))
                .hasMessageContaining("max-attempts");
    }
}
