package dev.fledge.operator.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.SecretKeyRef;
import dev.fledge.api.spec.WebhookSpec;
import dev.fledge.operator.config.OperatorAssembly;
import dev.fledge.operator.http.OutboundPolicy;
import dev.fledge.operator.metrics.OperatorMetrics;
import dev.fledge.testsupport.MockCluster;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 (the two signing keys): a release's {@code signingSecret} and the operator-wide key are read by one rule
 * (surrounding whitespace removed, at least 32 bytes), a short key is refused with a Warning event on the release,
 * and nothing is ever sent unsigned. Real Secrets on the mock API server, a real receiver on loopback.
 */
class SigningKeyRuleTest {
    static final String KEY = WebhookHygieneTest.KEY;

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    MockCluster cluster;
    KubernetesClient client;
    WebhookReceiver receiver;
    WebhookDispatcher dispatcher;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        client = cluster.client();
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName("ml")
                        .endMetadata()
                        .build())
                .create();
        receiver = new WebhookReceiver();
    }

    @AfterEach
    void stop() {
        if (dispatcher != null) {
            dispatcher.close();
        }
        receiver.close();
        cluster.close();
    }

    void secret(String name, String value) {
        client.secrets()
                .inNamespace("ml")
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .addToStringData("signing", value)
                        .build())
                .create();
    }

    WebhookDispatcher dispatcher(Optional<String> operatorKey) {
        NotificationSettings settings = NotificationSettings.defaults();
        if (operatorKey.isPresent()) {
            settings = settings.withGlobal(
                    NotificationSettings.global(Optional.of(receiver.url() + "/global"), "generic", Optional.empty())
                            .orElseThrow()
                            .withSigning(NotificationSettings.signing(operatorKey)));
        }
        dispatcher =
                OperatorAssembly.webhooks(client, settings, new OperatorMetrics(registry), OutboundPolicy.permissive());
        return dispatcher;
    }

    ModelRelease release(String secret) {
        ModelRelease mr = WebhookHygieneTest.release(new WebhookSpec()
                .withName("ops")
                .withUrl(receiver.url() + "/ops")
                .withSigningSecret(new SecretKeyRef().withName(secret).withKey("signing")));
        mr.getMetadata().setUid("uid-1");
        return mr;
    }

    double count(String result) {
        var c = registry.find("fledge_notifications").tag("result", result).counter();
        return c == null ? 0 : c.count();
    }

    List<Event> warnings() {
        return client.v1().events().inNamespace("ml").list().getItems().stream()
                .filter(e -> "Warning".equals(e.getType()))
                .toList();
    }

    @Test
    void theRuleTrimsSurroundingWhitespaceAndNeedsThirtyTwoBytes() {
        assertThat(SigningKey.read(("  " + KEY + "\r\n").getBytes(StandardCharsets.UTF_8), "test"))
                .isEqualTo(KEY.getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> SigningKey.read("0123456789abcdef0123456789abcde\n".getBytes(), "test"))
                .hasMessage("the signing key in test is 31 bytes long (without surrounding whitespace);"
                        + " at least 32 are required")
                .hasMessageNotContaining("0123");
    }

    @Test
    void aReleaseKeyWithATrailingNewlineSignsWithTheSameKeyAsTheOperatorWideOne() throws Exception {
        secret("hooks", KEY + "\n");
        dispatcher(Optional.of(KEY + "\n")).notify(release("hooks"), WebhookHygieneTest.rollback());

        await().atMost(Duration.ofSeconds(10)).until(() -> count("sent") == 2);
        assertThat(receiver.received())
                .as("both webhooks verify with the key without its newline")
                .hasSize(2)
                .allSatisfy(r -> assertThat(
                                WebhookHygieneTest.verifies(r, KEY, receiver.origin() + r.path(), Instant.now()))
                        .as(r.path())
                        .isTrue());
    }

    @Test
    void aShortReleaseKeyIsRefusedWithAWarningEventAndNothingIsSent() {
        secret("hooks", "short-secret");
        dispatcher(Optional.empty()).notify(release("hooks"), WebhookHygieneTest.rollback());

        await().atMost(Duration.ofSeconds(10)).until(() -> count("failed") == 1);
        assertThat(receiver.received()).as("never sent unsigned").isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> !warnings().isEmpty());
        Event e = warnings().get(0);
        assertThat(e.getReason()).isEqualTo("NotificationNotSent");
        assertThat(e.getInvolvedObject().getName()).isEqualTo("assistant");
        assertThat(e.getMessage())
                .contains("webhook ops")
                .contains("Secret ml/hooks")
                .contains("12 bytes long")
                .contains("at least 32")
                .doesNotContain("short-secret");
    }

    @Test
    void aShortOperatorWideKeyIsRefusedTheSameWayAndNothingIsSent() {
        secret("hooks", KEY);
        dispatcher(Optional.of("short-secret")).notify(release("hooks"), WebhookHygieneTest.rollback());

        await().atMost(Duration.ofSeconds(10)).until(() -> count("sent") == 1 && count("failed") == 1);
        assertThat(receiver.received())
                .as("only the release's webhook, whose key is long enough")
                .extracting(WebhookReceiver.Received::path)
                .containsExactly("/hook/ops");
        await().atMost(Duration.ofSeconds(10)).until(() -> !warnings().isEmpty());
        assertThat(warnings().get(0).getMessage())
                .contains("fledge.notifications.signing-key")
                .contains("12 bytes long")
                .doesNotContain("short-secret");
    }
}
