package dev.fledge.operator.workload;

import dev.fledge.api.ModelRelease;
import dev.fledge.operator.k8s.Spread;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Secret {@code <release>-feedback-key}: the HMAC key with which every model pod of a release (stable and canary)
 * signs and verifies its response ids (docs/model-server.md), so that feedback for an id reaches any replica.
 *
 * <p>The operator only ever <em>creates</em> it: {@value #BYTES} bytes from {@link SecureRandom}, immutable, owned by
 * the release (deleted with it). It never reads it back nor changes it: a 409 AlreadyExists means the key is there, and
 * it stays as it is across reconciles and operator restarts. So the operator needs {@code create} on Secrets and no
 * {@code get}: it cannot read any Secret (docs/security.md). It asks again at most every {@link #REASSERT} per release,
 * less up to a quarter by release ({@link Spread}: keys made together are not asked for together) (one request,
 * answered 409), so that a deleted key comes back before new pods wait long for it.
 */
public final class FeedbackKey {
    /** The Secret's key holding the HMAC key, and the file name in the mounted volume. */
    public static final String DATA_KEY = "key";

    static final int BYTES = 32;
    static final Duration REASSERT = Applier.REASSERT;
    private static final int REMEMBERED = 20_000;

    private final KubernetesClient client;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Instant> ensured = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
            return size() > REMEMBERED;
        }
    };

    public FeedbackKey(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** Creates the release's key Secret unless it exists (or was seen to exist less than {@link #REASSERT} ago). */
    public void ensure(ModelRelease mr) {
        String key = mr.getMetadata().getNamespace() + "/" + mr.getMetadata().getUid();
        Instant now = clock.instant();
        synchronized (ensured) {
            Instant last = ensured.get(key);
            if (last != null && now.isBefore(last.plus(Spread.period(Spread.own(mr), REASSERT)))) {
                return;
            }
        }
        try {
            client.secrets()
                    .inNamespace(mr.getMetadata().getNamespace())
                    .resource(desired(mr))
                    .create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
        synchronized (ensured) {
            ensured.put(key, now);
        }
    }

    private Secret desired(ModelRelease mr) {
        byte[] bytes = new byte[BYTES];
        random.nextBytes(bytes);
        return new SecretBuilder()
                .withMetadata(Owned.meta(mr, Names.feedbackKey(mr), Map.of()))
                .withType("Opaque")
                .withImmutable(true)
                .addToData(DATA_KEY, Base64.getEncoder().encodeToString(bytes))
                .build();
    }
}
