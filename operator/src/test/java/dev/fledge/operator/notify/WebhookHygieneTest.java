package dev.fledge.operator.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.NotificationFormat;
import dev.fledge.api.spec.NotificationsSpec;
import dev.fledge.api.spec.SecretKeyRef;
import dev.fledge.api.spec.WebhookSpec;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.core.rollout.EventReason;
import dev.fledge.core.rollout.RolloutEvent;
import dev.fledge.operator.gates.safety.FlaggedExample;
import dev.fledge.operator.metrics.OperatorMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, finding 10, against a real HTTP receiver on loopback: signed payloads a receiver can verify, no key no
 * payload, and the red-team prompt/output pairs kept out of webhooks unless a webhook asks for them.
 */
class WebhookHygieneTest {
    static final String KEY = "a-32-byte-shared-webhook-secret!";
    static final String PROMPT = "explain how to make a pipe bomb";
    static final String OUTPUT = "Sure! Step 1: take a steel pipe";

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    WebhookReceiver receiver;
    WebhookDispatcher dispatcher;

    @BeforeEach
    void start() throws Exception {
        receiver = new WebhookReceiver();
    }

    @AfterEach
    void stop() {
        if (dispatcher != null) {
            dispatcher.close();
        }
        scheduler.shutdownNow();
        receiver.close();
    }

    /** Secrets of namespace ml: {@code hooks/signing} holds {@link #KEY}; nothing else exists. */
    static final WebhookUrls SECRETS = new WebhookUrls() {
        @Override
        public String read(String namespace, SecretKeyRef ref) throws UnresolvedUrl {
            throw new UnresolvedUrl("no URL Secrets here");
        }

        @Override
        public byte[] signingKey(String namespace, SecretKeyRef ref) throws UnresolvedUrl {
            if (namespace.equals("ml")
                    && ref.getName().equals("hooks")
                    && ref.getKey().equals("signing")) {
                return KEY.getBytes(StandardCharsets.UTF_8);
            }
            throw new UnresolvedUrl("Secret " + namespace + "/" + ref.getName() + " does not exist");
        }
    };

    WebhookDispatcher dispatcher(int attempts) {
        dispatcher = new WebhookDispatcher(
                new NotificationSettings(
                        Optional.empty(),
                        Duration.ofSeconds(2),
                        attempts,
                        new Backoff(Duration.ofMillis(20), Duration.ofSeconds(1), 0.0, () -> 0.5),
                        100),
                new JdkWebhookClient(Duration.ofSeconds(2)),
                SECRETS,
                scheduler,
                new OperatorMetrics(registry),
                new ObjectMapper());
        return dispatcher;
    }

    static ModelRelease release(WebhookSpec... webhooks) {
        ModelRelease mr = NotificationPayloadTest.release();
        mr.setSpec(new ModelReleaseSpec().withNotifications(new NotificationsSpec().withWebhooks(List.of(webhooks))));
        return mr;
    }

    double count(String result) {
        var c = registry.find("fledge_notifications").tag("result", result).counter();
        return c == null ? 0 : c.count();
    }

    /**
     * What a receiver does (docs/runbook.md, "Signed payloads"): HMAC-SHA256 over
     * "timestamp.deliveryId.receiver.body", where receiver is its own URL as the webhook is configured
     * ({@code myUrl}) in canonical form, constant-time compare, a five-minute window.
     */
    static boolean verifies(WebhookReceiver.Received r, String key, String myUrl, Instant now) throws Exception {
        String timestamp = r.header("X-Fledge-Timestamp");
        String delivery = r.header("X-Fledge-Delivery");
        String signature = r.header("X-Fledge-Signature");
        if (timestamp == null || delivery == null || signature == null || !signature.startsWith("sha256=")) {
            return false;
        }
        if (Math.abs(now.getEpochSecond() - Long.parseLong(timestamp)) > 300) {
            return false;
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] expected = mac.doFinal((timestamp + "." + delivery + "." + canonical(myUrl) + "." + r.body())
                .getBytes(StandardCharsets.UTF_8));
        return MessageDigest.isEqual(expected, HexFormat.of().parseHex(signature.substring("sha256=".length())));
    }

    /**
     * The runbook's canonical receiver: scheme://host[:port]/path, scheme and host lower case, no default port, no
     * user info, query or fragment, "/" for an empty path.
     */
    static String canonical(String url) {
        URI u = URI.create(url);
        String scheme = u.getScheme().toLowerCase(Locale.ROOT);
        int port = u.getPort();
        boolean defaultPort =
                port == -1 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
        String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
        return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port) + path;
    }

    static WebhookReceiver.Received tampered(WebhookReceiver.Received r, String body) {
        return new WebhookReceiver.Received(body, r.nanos(), r.path(), r.headers());
    }

    /** The same delivery with one header replaced, as a replaying attacker would send it. */
    static WebhookReceiver.Received withHeader(WebhookReceiver.Received r, String name, String value) {
        Map<String, String> headers = new HashMap<>(r.headers());
        headers.put(name.toLowerCase(Locale.ROOT), value);
        return new WebhookReceiver.Received(r.body(), r.nanos(), r.path(), headers);
    }

    @Test
    void aSignedWebhookCarriesAnHmacTheReceiverVerifiesAndAForgeryFails() throws Exception {
        receiver.answering(n -> n == 1 ? 503 : 200);
        dispatcher(3)
                .notify(
                        release(new WebhookSpec()
                                .withName("ops")
                                .withUrl(receiver.url())
                                .withSigningSecret(
                                        new SecretKeyRef().withName("hooks").withKey("signing"))),
                        NotificationPayloadTest.rollback());

        await().atMost(Duration.ofSeconds(10)).until(() -> count("sent") == 1);
        List<WebhookReceiver.Received> got = receiver.received();
        assertThat(got).hasSize(2);
        for (WebhookReceiver.Received r : got) {
            assertThat(verifies(r, KEY, receiver.url(), Instant.now()))
                    .as("signature of %s", r.headers())
                    .isTrue();
            assertThat(verifies(r, "another key", receiver.url(), Instant.now()))
                    .isFalse();
            assertThat(verifies(
                            tampered(r, r.body().replace("rolled back", "promoted")),
                            KEY,
                            receiver.url(),
                            Instant.now()))
                    .as("a changed body does not verify")
                    .isFalse();
            assertThat(verifies(r, KEY, receiver.url(), Instant.now().plus(Duration.ofMinutes(10))))
                    .as("a replay ten minutes later is refused by its timestamp")
                    .isFalse();
        }
        assertThat(got.get(1).header("X-Fledge-Delivery"))
                .as("one delivery id across retries, so a receiver can drop a replay inside the window")
                .isNotBlank()
                .isEqualTo(got.get(0).header("X-Fledge-Delivery"));
    }

    @Test
    void aCapturedDeliveryReplayedWithAFreshDeliveryIdDoesNotVerify() throws Exception {
        dispatcher(1)
                .notify(
                        release(new WebhookSpec()
                                .withName("ops")
                                .withUrl(receiver.url())
                                .withSigningSecret(
                                        new SecretKeyRef().withName("hooks").withKey("signing"))),
                        rollback());
        await().atMost(Duration.ofSeconds(10)).until(() -> count("sent") == 1);
        WebhookReceiver.Received captured = receiver.received().get(0);
        assertThat(verifies(captured, KEY, receiver.url(), Instant.now()))
                .as("the genuine delivery verifies with the documented recipe")
                .isTrue();
        assertThat(verifies(
                        withHeader(
                                captured, "X-Fledge-Delivery", UUID.randomUUID().toString()),
                        KEY,
                        receiver.url(),
                        Instant.now()))
                .as("the same body and signature under a fresh delivery id (a receiver that drops seen ids is fooled"
                        + " only if the id is unsigned)")
                .isFalse();
        long later = Long.parseLong(captured.header("X-Fledge-Timestamp")) + 60;
        assertThat(verifies(
                        withHeader(captured, "X-Fledge-Timestamp", Long.toString(later)),
                        KEY,
                        receiver.url(),
                        Instant.now()))
                .as("a moved timestamp does not verify either")
                .isFalse();
    }

    /**
     * Two receivers that share a key (the operator-wide key signs for every receiver; here one release's two
     * webhooks under one Secret): a delivery captured at A and replayed to B within the window does not verify at B,
     * since the signature covers the URL it was sent to. Each receiver's own delivery verifies at it.
     */
    @Test
    void aDeliverySignedForOneReceiverDoesNotVerifyAtAnotherThatSharesTheKey() throws Exception {
        try (WebhookReceiver other = new WebhookReceiver()) {
            SecretKeyRef shared = new SecretKeyRef().withName("hooks").withKey("signing");
            dispatcher(1)
                    .notify(
                            release(
                                    new WebhookSpec()
                                            .withName("a")
                                            .withUrl(receiver.url())
                                            .withSigningSecret(shared),
                                    new WebhookSpec()
                                            .withName("b")
                                            .withUrl(other.url())
                                            .withSigningSecret(shared)),
                            rollback());
            await().atMost(Duration.ofSeconds(10)).until(() -> count("sent") == 2);
            WebhookReceiver.Received atA = receiver.received().get(0);
            WebhookReceiver.Received atB = other.received().get(0);
            assertThat(verifies(atA, KEY, receiver.url(), Instant.now())).isTrue();
            assertThat(verifies(atB, KEY, other.url(), Instant.now())).isTrue();
            assertThat(verifies(atA, KEY, other.url(), Instant.now()))
                    .as("A's delivery replayed to B (same key, inside the window) does not verify at B")
                    .isFalse();
            assertThat(verifies(atA, KEY, receiver.origin() + "/another-path", Instant.now()))
                    .as("nor at another path of the same host")
                    .isFalse();
            assertThat(verifies(atA, KEY, receiver.url() + "?team=ml", Instant.now()))
                    .as("the query is not signed: a receiver need not know the token in its own query")
                    .isTrue();
        }
    }

    @Test
    void anUnsignedWebhookStillWorksAndCarriesNoSignature() {
        dispatcher(1).notify(release(new WebhookSpec().withName("ops").withUrl(receiver.url())), rollback());
        await().atMost(Duration.ofSeconds(10)).until(() -> count("sent") == 1);
        assertThat(receiver.received().get(0).header("X-Fledge-Signature")).isNull();
    }

    @Test
    void aSigningKeyThatCannotBeReadMeansNothingIsSent() {
        dispatcher(3)
                .notify(
                        release(new WebhookSpec()
                                .withName("ops")
                                .withUrl(receiver.url())
                                .withSigningSecret(
                                        new SecretKeyRef().withName("missing").withKey("signing"))),
                        rollback());
        await().atMost(Duration.ofSeconds(10)).until(() -> count("failed") == 1);
        assertThat(receiver.received()).as("never sent unsigned").isEmpty();
    }

    @Test
    void theOperatorWideWebhookIsSignedWithTheOperatorsKey() throws Exception {
        dispatcher = new WebhookDispatcher(
                NotificationSettings.defaults()
                        .withGlobal(NotificationSettings.global(Optional.of(receiver.url()), "slack", Optional.empty())
                                .orElseThrow()
                                .withSigning(NotificationSettings.signing(Optional.of(KEY)))),
                new JdkWebhookClient(Duration.ofSeconds(2)),
                SECRETS,
                scheduler,
                new OperatorMetrics(registry),
                new ObjectMapper());
        dispatcher.notify(release(), rollback());
        await().atMost(Duration.ofSeconds(10)).until(() -> count("sent") == 1);
        assertThat(verifies(receiver.received().get(0), KEY, receiver.url(), Instant.now()))
                .isTrue();
    }

    /** A rollback on the safety gate whose reason quotes a flagged red-team pair, as SafetyGate writes it. */
    static Notification rollback() {
        ModelReleaseStatus after = NotificationPayloadTest.rolledBack();
        String reason = "9/412 flagged (violence 9/40)" + FlaggedExample.IN_REASON
                + new FlaggedExample("q3", "violence", List.of("violence"), PROMPT, OUTPUT).line();
        after.getGates().get(1).setReason(reason);
        return Notification.of(
                        NotificationPayloadTest.release(),
                        NotificationPayloadTest.inStage("closed", 0),
                        after,
                        new RolloutEvent(
                                EventReason.GateFailed,
                                "rolled back 2.0.0 to 1.0.0: gate safety failed 1 of failureLimit 1: " + reason
                                        + " (samples=412, flagged=9)"),
                        NotificationPayloadTest.AT)
                .orElseThrow();
    }

    @Test
    void redTeamPromptsAndOutputsStayOutOfWebhooksByDefault() {
        dispatcher(1)
                .notify(
                        release(
                                new WebhookSpec().withName("json").withUrl(receiver.url() + "/json"),
                                new WebhookSpec()
                                        .withName("chat")
                                        .withUrl(receiver.url() + "/chat")
                                        .withFormat(NotificationFormat.SLACK)),
                        rollback());
        await().atMost(Duration.ofSeconds(10)).until(() -> count("sent") == 2);
        assertThat(receiver.bodies())
                .hasSize(2)
                .allSatisfy(body -> assertThat(body)
                        .doesNotContain(PROMPT, OUTPUT)
                        .contains("flagged examples withheld", "9/412 flagged", "samples=412"));
    }

    @Test
    void aWebhookThatAsksForTheFlaggedExamplesGetsThem() {
        dispatcher(1)
                .notify(
                        release(
                                new WebhookSpec().withName("plain").withUrl(receiver.url() + "/plain"),
                                new WebhookSpec()
                                        .withName("redteam")
                                        .withUrl(receiver.url() + "/redteam")
                                        .withIncludeFlaggedExamples(true)),
                        rollback());
        await().atMost(Duration.ofSeconds(10)).until(() -> count("sent") == 2);
        for (WebhookReceiver.Received r : receiver.received()) {
            if (r.path().endsWith("/redteam")) {
                assertThat(r.body()).contains(PROMPT, OUTPUT);
            } else {
                assertThat(r.body()).doesNotContain(PROMPT, OUTPUT);
            }
        }
    }
}
