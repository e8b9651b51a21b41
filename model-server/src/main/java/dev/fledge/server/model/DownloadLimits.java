package dev.fledge.server.model;

import java.time.Duration;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    private static final Pattern SIZE = Pattern.compile("([0-9]{1,30})([KMGTkmgt]?)[Bb]?");
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

    /**
     * These limits, each lowered to the exact environment variable the operator sets on model pods
     * ({@code FLEDGE_MODEL_MAX_DOWNLOAD_SIZE}, {@code _EXTRACTED_SIZE}, {@code _ARCHIVE_ENTRIES},
     * {@code _COMPRESSION_RATIO}) when it is set: no other config source (a system property, a spelling such as
     * {@code fledge.model.max-download-size}, a config file of a higher ordinal) can raise a limit above the
     * operator's. A set but unreadable variable fails the start.
     */
    public DownloadLimits cappedBy(Function<String, String> env) {
        return new DownloadLimits(
                Math.min(maxDownloadBytes, size(env, "FLEDGE_MODEL_MAX_DOWNLOAD_SIZE", maxDownloadBytes)),
                Math.min(maxExtractedBytes, size(env, "FLEDGE_MODEL_MAX_EXTRACTED_SIZE", maxExtractedBytes)),
                (int) Math.min(maxEntries, count(env, "FLEDGE_MODEL_MAX_ARCHIVE_ENTRIES", maxEntries)),
                (int) Math.min(maxRatio, count(env, "FLEDGE_MODEL_MAX_COMPRESSION_RATIO", maxRatio)),
                idleTimeout,
                timeout);
    }

    private static long size(Function<String, String> env, String name, long unset) {
        String v = env.apply(name);
        if (v == null) {
            return unset;
        }
        Matcher m = SIZE.matcher(v.strip());
        if (!m.matches()) {
            throw new ModelLoadException(name + " must be a size such as 20G (K, M, G or T)");
        }
        int shift = m.group(2).isEmpty()
                ? 0
                : 10 * ("KMGT".indexOf(Character.toUpperCase(m.group(2).charAt(0))) + 1);
        try {
            long n = Long.parseLong(m.group(1));
            return n > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : n << shift;
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    private static long count(Function<String, String> env, String name, long unset) {
        String v = env.apply(name);
        if (v == null) {
            return unset;
        }
        if (!v.strip().matches("[0-9]{1,18}")) {
            throw new ModelLoadException(name + " must be a whole number");
        }
        return Long.parseLong(v.strip());
    }

    /** 20 GiB downloaded, 40 GiB unpacked, 10000 entries, ratio 100, 60 s idle, 2 h in all. */
    public static DownloadLimits defaults() {
        return new DownloadLimits(20 * GIB, 40 * GIB, 10_000, 100);
    }
}
