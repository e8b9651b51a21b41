package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import lombok.Getter;
import lombok.Setter;

/** One webhook: where to post, in which format, for which events. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.url) != has(self.urlFrom)", message = "set exactly one of url and urlFrom")
@Getter
@Setter
public class WebhookSpec {

    @JsonPropertyDescription("Name of the webhook, unique in the release; it appears in the operator's logs.")
    @Required
    @Size(min = 1, max = 63)
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    private String name;

    @JsonPropertyDescription(
            "URL the notification is POSTed to. A URL that carries a token (a Slack incoming webhook, say) belongs in a Secret: use urlFrom instead.")
    @Size(max = 2048)
    @Pattern("^https?://.+$")
    private String url;

    @JsonPropertyDescription(
            "Reads the URL from a Secret in the release namespace. The operator needs get rights on that Secret (the Helm chart's notifications.secretNames).")
    private WebhookUrlSource urlFrom;

    @JsonPropertyDescription(
            "Payload format: generic (Fledge's JSON document) or slack (an incoming-webhook message with text and blocks). Default generic.")
    private NotificationFormat format;

    @JsonPropertyDescription(
            "Signs every payload with HMAC-SHA256 under the key held in this Secret key (release namespace). Headers: X-Fledge-Timestamp (Unix seconds), X-Fledge-Delivery (one id per notification, the same on retries) and X-Fledge-Signature: sha256=<hex of HMAC(key, timestamp + \".\" + delivery + \".\" + receiver + \".\" + body)>, receiver being the URL it is sent to as scheme://host[:port]/path (no query; docs/runbook.md, Signed payloads). The key is the Secret value without surrounding whitespace and must be at least 32 bytes. The operator needs get rights on the Secret (the chart's notifications.secretNames); a key it cannot read, or a shorter one, means the notification is not sent (a NotificationNotSent Warning event).")
    private SecretKeyRef signingSecret;

    @JsonPropertyDescription(
            "Send the flagged red-team prompt/output pairs that the safety gate quotes in its reason. Default false: webhooks get a note in their place; the pairs stay in status and in the safety report ConfigMap.")
    private Boolean includeFlaggedExamples;

    @JsonPropertyDescription("The events to send. Default: all of them.")
    @Size(min = 1, max = 5)
    @ValidationRule(value = "self.all(e, self.exists_one(f, f == e))", message = "events must not repeat")
    private List<NotificationEvent> events;

    public WebhookSpec withName(String name) {
        this.name = name;
        return this;
    }

    public WebhookSpec withUrl(String url) {
        this.url = url;
        return this;
    }

    public WebhookSpec withUrlFrom(WebhookUrlSource urlFrom) {
        this.urlFrom = urlFrom;
        return this;
    }

    public WebhookSpec withFormat(NotificationFormat format) {
        this.format = format;
        return this;
    }

    public WebhookSpec withSigningSecret(SecretKeyRef signingSecret) {
        this.signingSecret = signingSecret;
        return this;
    }

    public WebhookSpec withIncludeFlaggedExamples(Boolean includeFlaggedExamples) {
        this.includeFlaggedExamples = includeFlaggedExamples;
        return this;
    }

    public WebhookSpec withEvents(List<NotificationEvent> events) {
        this.events = events;
        return this;
    }
}
