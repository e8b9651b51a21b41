package dev.fledge.core.rollout;

/** Reasons of the Ready, Progressing, Degraded and InvalidSpec conditions. */
public enum ConditionReason {
    Promoted,
    RolloutInProgress,
    WaitingForCanary,
    Promoting,
    PromotionStalled,
    Paused,
    GateFailed,
    CriticalGateFailed,
    ProgressDeadlineExceeded,
    Aborted,
    FirstReleaseRolledBack,
    InvalidSpec,
    SpecValid,
    NoRelease
}
