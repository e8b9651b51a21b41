package dev.fledge.operator.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.operator.ModelReleaseReconciler;
import dev.fledge.operator.routing.Routers;
import io.javaoperatorsdk.operator.api.config.BaseConfigurationService;
import io.javaoperatorsdk.operator.api.config.ControllerConfiguration;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.javaoperatorsdk.operator.processing.retry.RetryExecution;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The effective controller configuration JOSDK builds from the reconciler's annotations (the Quarkus extension reads
 * the same ones at build time): a failing reconcile is retried for ever with a bounded backoff, and every release is
 * reconciled at least every few minutes, so no timer waits for an unrelated event.
 */
class RetryConfigurationTest {
    final ControllerConfiguration<?> config = new BaseConfigurationService()
            .getConfigurationFor(new ModelReleaseReconciler(
                    null,
                    null,
                    null,
                    new Routers(null, null, null),
                    null,
                    (release, plan) -> List.of(),
                    null,
                    null,
                    null,
                    null,
                    null,
                    null));

    @Test
    void aFailingReconcileIsRetriedForEverWithABoundedBackoff() {
        assertThat(config.getRetry()).isInstanceOf(GenericRetry.class);
        RetryExecution retry = ((GenericRetry) config.getRetry()).initExecution();
        long longest = 0;
        for (int attempt = 1; attempt <= 1000; attempt++) {
            assertThat(retry.nextDelay()).as("attempt %d is retried", attempt).isPresent();
            assertThat(retry.isLastAttempt()).isFalse();
        }
        longest = retry.nextDelay().orElseThrow();
        assertThat(Duration.ofMillis(longest)).isEqualTo(ModelReleaseReconciler.MAX_RETRY_INTERVAL);
    }

    @Test
    void everyReleaseIsReconciledAtLeastEveryFewMinutes() {
        assertThat(config.maxReconciliationInterval()).contains(ModelReleaseReconciler.MAX_RECONCILIATION_INTERVAL);
        assertThat(ModelReleaseReconciler.MAX_RECONCILIATION_INTERVAL).isLessThanOrEqualTo(Duration.ofMinutes(5));
    }
}
