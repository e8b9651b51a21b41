package dev.fledge.operator.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import org.junit.jupiter.api.Test;

class ClientRetriesTest {

    @Test
    void theQuarkusBuiltClientRetriesAServerErrorOnceNotForTwentySeconds() {
        Config config = new ConfigBuilder(Config.empty()).build();
        assertThat(config.getRequestRetryBackoffLimit())
                .as("Fabric8's default, which the operator must not keep")
                .isGreaterThan(ClientRetries.BACKOFF_LIMIT);

        new OperatorClientConfig().customize(config);

        assertThat(config.getRequestRetryBackoffLimit()).isEqualTo(1);
        assertThat(config.getRequestRetryBackoffInterval()).isEqualTo(100);
    }
}
