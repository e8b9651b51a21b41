package dev.fledge.core.rollout;

/**
 * A standing warning about how a release is set up (not about its rollout), written as a condition of its own type
 * with status True while it holds and removed when it no longer does. Example: {@code HeaderAudienceOnPublicListener}.
 */
public record SpecWarning(String type, String reason, String message) {}
