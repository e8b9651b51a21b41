package dev.fledge.operator.workload;

import dev.fledge.api.ModelRelease;

/** Names of the objects Fledge manages for a release {@code x}. */
public final class Names {
    /** Longest release name whose derived names ({@code x-internal}) still fit a 63-character DNS label. */
    public static final int MAX_RELEASE_NAME = 54;

    /** How the Secret of a release's response-id key ends: {@code <release>-feedback-key}. */
    public static final String FEEDBACK_KEY_SUFFIX = "-feedback-key";

    private Names() {}

    public static String deployment(ModelRelease mr, String track) {
        return mr.getMetadata().getName() + "-" + track;
    }

    public static String trackService(ModelRelease mr, String track) {
        return mr.getMetadata().getName() + "-" + track;
    }

    public static String publicService(ModelRelease mr) {
        return mr.getMetadata().getName();
    }

    public static String audienceService(ModelRelease mr, String audience) {
        return mr.getMetadata().getName() + "-" + audience;
    }

    /** The Secret holding the key that signs the release's response ids ({@link FeedbackKey}). */
    public static String feedbackKey(ModelRelease mr) {
        return feedbackKey(mr.getMetadata().getName());
    }

    static String feedbackKey(String release) {
        return release + FEEDBACK_KEY_SUFFIX;
    }

    /**
     * Whether {@code secret} is named as a release's response-id key ({@link #feedbackKey}): of any release of the
     * namespace, which a template may not mount (PodTemplatePolicy).
     */
    public static boolean isFeedbackKey(String secret) {
        return secret != null && secret.endsWith(FEEDBACK_KEY_SUFFIX);
    }
}
