package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import lombok.Getter;
import lombok.Setter;

/** Where a webhook URL is read from. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
public class WebhookUrlSource {

    @JsonPropertyDescription("A key of a Secret in the release namespace whose value is the URL.")
    @Required
    private SecretKeyRef secretKeyRef;

    public WebhookUrlSource withSecretKeyRef(SecretKeyRef secretKeyRef) {
        this.secretKeyRef = secretKeyRef;
        return this;
    }
}
