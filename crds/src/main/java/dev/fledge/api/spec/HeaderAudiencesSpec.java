package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import lombok.Getter;
import lombok.Setter;

/**
 * The opt-in to header audiences: internal and closed users told apart by a request header in the release's HTTPRoute,
 * on the same listeners as the public. It must say what keeps the public from sending that header.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
public class HeaderAudiencesSpec {

    @JsonPropertyDescription(
            "What keeps a public client from claiming an audience by sending its header. AuthProxy: a proxy in front of the Gateway overwrites or removes the header on all outside traffic (route filters cannot: they run after matching); the release then carries the condition HeaderAudienceOnPublicListener as a standing warning. PrivateListener: only trusted users can reach the listeners in parentRefs at all.")
    @Required
    private HeaderTrust trust;

    public HeaderAudiencesSpec withTrust(HeaderTrust trust) {
        this.trust = trust;
        return this;
    }
}
