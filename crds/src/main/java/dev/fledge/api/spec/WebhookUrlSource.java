package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** Where a webhook URL is read from. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WebhookUrlSource {

    @JsonPropertyDescription("A key of a Secret in the release namespace whose value is the URL.")
    @Required
    private SecretKeyRef secretKeyRef;

    public SecretKeyRef getSecretKeyRef() {
        return secretKeyRef;
    }

    public void setSecretKeyRef(SecretKeyRef secretKeyRef) {
        this.secretKeyRef = secretKeyRef;
    }

    public WebhookUrlSource withSecretKeyRef(SecretKeyRef secretKeyRef) {
        this.secretKeyRef = secretKeyRef;
        return this;
    }
}
