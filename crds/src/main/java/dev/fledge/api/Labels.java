package dev.fledge.api;

/** Well-known label, annotation and header names (DESIGN §1). */
public final class Labels {
    public static final String RELEASE = "fledge.dev/release";
    public static final String TRACK = "fledge.dev/track";
    public static final String VERSION = "fledge.dev/version";
    /**
     * Which operator shard handles a release (issue 20): set by the user on the ModelRelease, copied by the operator
     * onto what it creates, so that each shard's caches hold only its own releases' Deployments.
     */
    public static final String SHARD = "fledge.dev/shard";
    /** Annotation through which users ask for a manual action; the operator consumes and removes it. */
    public static final String ACTION = "fledge.dev/action";

    public static final String AUDIENCE_HEADER = "X-Fledge-Audience";

    public static final String TRACK_STABLE = "stable";
    public static final String TRACK_CANARY = "canary";

    private Labels() {}
}
