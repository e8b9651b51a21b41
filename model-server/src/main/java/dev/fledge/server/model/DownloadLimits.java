package dev.fledge.server.model;

import java.time.Duration;

/**
 * How much a model archive may take ({@code fledge.model.max-*}): a URI is the tenant's choice, the pod's disk and
 * the node's are not.
 *
 * @param maxDownloadBytes  the archive as downloaded
 * @param maxExtractedBytes every file of the archive, unpacked, together
 * @param maxEntries        files and directories in the archive
 * @param maxRatio          unpacked bytes per archive byte, at most (a zip bomb's is in the thousands; model
 *                          weights compress to about 1, a vocabulary to about 4)
 * @param idleTimeout       longest time without a byte of the download (and until the response starts)
 * @param timeout           longest time the whole download may take
 */
public record DownloadLimits(
        long maxDownloadBytes,
        long maxExtractedBytes,
        int maxEntries,
        int maxRatio,
        Duration idleTimeout,
        Duration timeout) {
    static final long GIB = 1024L * 1024 * 1024;
    static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    static final Duration DEFAULT_TIMEOUT = Duration.ofHours(2);

    public DownloadLimits {
        if (maxDownloadBytes < 1 || maxExtractedBytes < 1 || maxEntries < 1 || maxRatio < 1) {
            throw new ModelLoadException("the model download limits (fledge.model.max-*) must be positive");
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero() || timeout.isNegative() || timeout.isZero()) {
            throw new ModelLoadException(
                    "fledge.model.download-idle-timeout and fledge.model.download-timeout must be positive");
        }
    }

    /** The size limits, with the default timeouts. */
    public DownloadLimits(long maxDownloadBytes, long maxExtractedBytes, int maxEntries, int maxRatio) {
        this(maxDownloadBytes, maxExtractedBytes, maxEntries, maxRatio, DEFAULT_IDLE_TIMEOUT, DEFAULT_TIMEOUT);
    }

    /** 20 GiB downloaded, 40 GiB unpacked, 10000 entries, ratio 100, 60 s idle, 2 h in all. */
    public static DownloadLimits defaults() {
        return new DownloadLimits(20 * GIB, 40 * GIB, 10_000, 100);
    }
}
