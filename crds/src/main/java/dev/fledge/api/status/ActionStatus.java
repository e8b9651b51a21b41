package dev.fledge.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import lombok.Getter;
import lombok.Setter;

/**
 * The last manual action read from the {@code fledge.dev/action} annotation. The operator records it here in the same
 * status write that applies it, and removes the annotation only after that write succeeded: an annotation that is
 * still there while {@code annotationRemoved} is false is the one already applied, and is not applied again.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
public class ActionStatus {

    @JsonPropertyDescription("The annotation's value: promote, abort, retry, skip-stage, or what else it said.")
    private String value;

    @JsonPropertyDescription("The ModelRelease's metadata.resourceVersion when the operator read the annotation.")
    private String resourceVersion;

    @JsonPropertyDescription("When the operator applied (or refused) the action (RFC 3339).")
    private String appliedAt;

    @JsonPropertyDescription("Applied, Ignored (it did not apply now; see the ActionIgnored event) or Unknown.")
    private String outcome;

    @JsonPropertyDescription("Whether the annotation is gone. While false, the annotation still on the object is this"
            + " action, already applied, and the operator only removes it.")
    private Boolean annotationRemoved;
}
