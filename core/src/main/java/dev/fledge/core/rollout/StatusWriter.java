package dev.fledge.core.rollout;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fledge.api.status.ModelReleaseStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The one place that finishes a status before it is written (Keycloak's {@code KeycloakStatusAggregator} is the
 * model): the engine's decision gets {@code observedGeneration} and its conditions ({@link Conditions}), and is
 * compared with the stored status by JSON form, so that the operator patches only on change.
 */
public final class StatusWriter {
    private final ObjectMapper json = new ObjectMapper();

    /** The status to patch, or empty when it equals {@code stored}. */
    public Optional<ModelReleaseStatus> finish(
            ModelReleaseStatus stored, Decision decision, Long generation, Instant now) {
        return finish(stored, decision, generation, now, List.of());
    }

    /** As {@link #finish(ModelReleaseStatus, Decision, Long, Instant)}, with a True condition per standing warning. */
    public Optional<ModelReleaseStatus> finish(
            ModelReleaseStatus stored, Decision decision, Long generation, Instant now, List<SpecWarning> warnings) {
        ModelReleaseStatus next = decision.status();
        next.setObservedGeneration(generation);
        Conditions.apply(next, decision.reason(), generation, now, warnings);
        return json.valueToTree(stored).equals(json.valueToTree(next)) ? Optional.empty() : Optional.of(next);
    }
}
