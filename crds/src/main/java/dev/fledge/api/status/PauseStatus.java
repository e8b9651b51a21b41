package dev.fledge.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import lombok.Getter;
import lombok.Setter;

/** Time the current rollout spent paused; it does not count against progressDeadline. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
public class PauseStatus {

    @JsonPropertyDescription("When the current pause began (RFC 3339); absent while not paused.")
    private String pausedAt;

    @JsonPropertyDescription("Seconds the current rollout spent paused in earlier pauses; the progressDeadline moves"
            + " on by as much.")
    private Long pausedSeconds;
}
