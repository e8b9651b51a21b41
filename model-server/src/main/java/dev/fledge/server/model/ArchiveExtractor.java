package dev.fledge.server.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Unpacks a model archive into a directory, within {@link DownloadLimits}: every entry must land inside the
 * directory (no {@code ../} or absolute names: zip-slip), and the bytes actually written (not the sizes the archive
 * declares) are counted against the total and the compression ratio. A limit crossed stops the extraction with an
 * {@link IOException} that names the limit; the caller deletes the partial directory.
 */
final class ArchiveExtractor {
    /** Archives smaller than this are held to the ratio as if they were this large. */
    private static final long RATIO_FLOOR_BYTES = 1024 * 1024;

    private final DownloadLimits limits;

    ArchiveExtractor(DownloadLimits limits) {
        this.limits = limits;
    }

    void unzip(Path archive, Path target) throws IOException {
        long archiveBytes = Files.size(archive);
        long byRatio = ratioBound(archiveBytes);
        long budget = Math.min(limits.maxExtractedBytes(), byRatio);
        String limit = budget == limits.maxExtractedBytes()
                ? limits.maxExtractedBytes() + " bytes (fledge.model.max-extracted-size)"
                : limits.maxRatio() + " times its size (fledge.model.max-compression-ratio)";
        Path root = target.toAbsolutePath().normalize();
        long written = 0;
        int entries = 0;
        byte[] buffer = new byte[64 * 1024];
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(archive))) {
            for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                if (++entries > limits.maxEntries()) {
                    throw new IOException("the archive has more than " + limits.maxEntries()
                            + " entries (fledge.model.max-archive-entries)");
                }
                Path out = confined(root, entry.getName());
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                    continue;
                }
                Files.createDirectories(out.getParent());
                try (OutputStream file = Files.newOutputStream(out)) {
                    for (int n; (n = zip.read(buffer)) > 0; ) {
                        written += n;
                        if (written > budget) {
                            throw new IOException("the archive unpacks to more than " + limit);
                        }
                        file.write(buffer, 0, n);
                    }
                }
            }
        }
    }

    private long ratioBound(long archiveBytes) {
        try {
            return Math.multiplyExact(Math.max(archiveBytes, RATIO_FLOOR_BYTES), (long) limits.maxRatio());
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** The entry's path inside {@code root}, or an error for a name that leaves it. */
    static Path confined(Path root, String name) throws IOException {
        if (name.isEmpty() || name.startsWith("/") || name.startsWith("\\") || name.contains(":")) {
            throw new IOException("the archive has an entry with an absolute or unusable name; refusing to unpack it");
        }
        Path out = root.resolve(name.replace('\\', '/')).normalize();
        if (!out.startsWith(root) || out.equals(root)) {
            throw new IOException("the archive has an entry outside its own directory (" + printable(name)
                    + "); refusing to unpack it");
        }
        return out;
    }

    private static String printable(String name) {
        String shown = name.replaceAll("\\p{Cntrl}", "?");
        return shown.length() > 120 ? shown.substring(0, 120) + "…" : shown;
    }

    /** Reads at most {@code max} bytes of {@code in} into {@code out}; more is an error that names the limit. */
    static long copyAtMost(InputStream in, OutputStream out, long max) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            total += n;
            if (total > max) {
                throw new IOException("the archive is larger than " + max + " bytes (fledge.model.max-download-size)");
            }
            out.write(buffer, 0, n);
        }
        return total;
    }
}
