package dev.fledge.operator.gates;

import dev.fledge.api.status.ModelReleaseStatus;

/**
 * When a deferred reading was asked: the release (its uid and spec generation), the rollout attempt, the canary
 * version, the stage and the public step. A reading asked in one of them is never handed out in another, so a verdict
 * from before a stage or step began, or from a spec since edited, never counts for it.
 */
final class ReadScope {
    private ReadScope() {}

    static String of(GateContext ctx) {
        var meta = ctx.release().getMetadata();
        ModelReleaseStatus st = ctx.release().getStatus();
        return String.join(
                "|",
                String.valueOf(meta.getUid()),
                String.valueOf(meta.getGeneration()),
                String.valueOf(ctx.canaryVersion()),
                String.valueOf(ctx.stage()),
                st == null ? "-" : String.valueOf(st.getRolloutStartedAt()),
                st == null ? "-" : String.valueOf(st.getStageStartedAt()),
                st == null ? "-" : String.valueOf(st.getStepStartedAt()));
    }
}
