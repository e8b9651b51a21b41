package dev.fledge.operator.notify;

import dev.fledge.api.KubeNames;
import dev.fledge.api.spec.SecretKeyRef;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Webhook URLs and signing keys from Secrets in the release namespace, read when a notification is sent (never
 * cached).
 */
public final class SecretWebhookUrls implements WebhookUrls {
    private final KubernetesClient client;

    public SecretWebhookUrls(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public String read(String namespace, SecretKeyRef ref) throws UnresolvedUrl {
        String url = new String(value(namespace, ref), StandardCharsets.UTF_8).trim();
        if (!url.matches("^https?://\\S+$")) {
            throw new UnresolvedUrl("key " + ref.getKey() + " of Secret " + namespace + "/" + ref.getName()
                    + " does not hold an http(s) URL");
        }
        return url;
    }

    @Override
    public byte[] signingKey(String namespace, SecretKeyRef ref) throws UnresolvedUrl {
        try {
            return SigningKey.read(
                    value(namespace, ref),
                    "key " + ref.getKey() + " of Secret " + namespace + "/" + ref.getName()
                            + " (the webhook's signingSecret)");
        } catch (IllegalArgumentException e) {
            throw new UnresolvedUrl(e.getMessage());
        }
    }

    private byte[] value(String namespace, SecretKeyRef ref) throws UnresolvedUrl {
        if (!KubeNames.isObjectName(ref.getName())) {
            // the schema refuses it since 2026-12-07; a release stored before never has it put in a request's path
            throw new UnresolvedUrl("\"" + ref.getName() + "\" is not a Secret name: not read");
        }
        Secret secret;
        try {
            secret = client.secrets()
                    .inNamespace(namespace)
                    .withName(ref.getName())
                    .get();
        } catch (KubernetesClientException e) {
            throw new UnresolvedUrl("cannot read Secret " + namespace + "/" + ref.getName() + " (HTTP " + e.getCode()
                    + (e.getCode() == 403
                            ? ": the operator has no get right on it; see the chart's notifications.secretNames"
                            : "")
                    + ")");
        }
        if (secret == null) {
            throw new UnresolvedUrl("Secret " + namespace + "/" + ref.getName() + " does not exist");
        }
        byte[] value = null;
        if (secret.getData() != null && secret.getData().get(ref.getKey()) != null) {
            value = Base64.getDecoder().decode(secret.getData().get(ref.getKey()));
        } else if (secret.getStringData() != null && secret.getStringData().get(ref.getKey()) != null) {
            value = secret.getStringData().get(ref.getKey()).getBytes(StandardCharsets.UTF_8);
        }
        if (value == null) {
            throw new UnresolvedUrl("Secret " + namespace + "/" + ref.getName() + " has no key " + ref.getKey());
        }
        return value;
    }
}
