package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import lombok.Getter;
import lombok.Setter;

/** Where the operator posts rollout notifications for this release (in addition to the operator-wide webhook). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
public class NotificationsSpec {

    @JsonPropertyDescription(
            "Webhooks that receive a JSON notification when a stage starts, a public step advances, the release is promoted or rolled back. Delivery is best effort: retried a few times with backoff, never blocking or failing the rollout.")
    @Size(min = 1, max = 10)
    @ValidationRule(
            value = "self.all(w, self.exists_one(v, v.name == w.name))",
            message = "webhook names must be unique")
    private List<WebhookSpec> webhooks;

    public NotificationsSpec withWebhooks(List<WebhookSpec> webhooks) {
        this.webhooks = webhooks;
        return this;
    }
}
