package dev.fledge.server.model;

/**
 * How much a model archive may take ({@code fledge.model.max-*}): a URI is the tenant's choice, the pod's disk and
 * the node's are not.
 *
 * @param maxDownloadBytes  the archive as downloaded
 * @param maxExtractedBytes every file of the archive, unpacked, together
 * @param maxEntries        files and directories in the archive
 * @param maxRatio          unpacked bytes per archive byte, at most (a zip bomb's is in the thousands; model
 *                          weights compress to about 1, a vocabulary to about 4)
 */
public record DownloadLimits(long maxDownloadBytes, long maxExtractedBytes, int maxEntries, int maxRatio) {
    static final long GIB = 1024L * 1024 * 1024;

    public DownloadLimits {
        if (maxDownloadBytes < 1 || maxExtractedBytes < 1 || maxEntries < 1 || maxRatio < 1) {
            throw new ModelLoadException("the model download limits (fledge.model.max-*) must be positive");
        }
    }

    /** 20 GiB downloaded, 40 GiB unpacked, 10000 entries, ratio 100. */
    public static DownloadLimits defaults() {
        return new DownloadLimits(20 * GIB, 40 * GIB, 10_000, 100);
    }
}
