package dev.fledge.operator.workload;

import dev.fledge.api.status.ServingStatus;
import java.util.List;

/**
 * The operator's current policy for a serving configuration it did not validate from the spec just now: the one
 * recorded in {@code status.stable} at a promotion, which the stable Deployment is rebuilt from. Anyone who may write
 * the release's status could put an image or a template field there that the spec check would refuse (review of issue
 * 15, LOW 4), and the operator's settings (image prefixes, label keys) may have become stricter since the promotion.
 */
@FunctionalInterface
public interface ServingPolicy {
    /** Allows everything: for tests that run without the operator's settings. */
    ServingPolicy ANY = serving -> List.of();

    /** Why {@code serving} may not run, each naming its field under {@code status.stable}; empty when it may. */
    List<String> refusals(ServingStatus serving);
}
