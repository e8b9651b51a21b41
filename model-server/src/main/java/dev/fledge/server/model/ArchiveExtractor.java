package dev.fledge.server.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * Unpacks a model archive into a directory, within {@link DownloadLimits}: every entry must land inside the
 * directory (no {@code ../} or absolute names: zip-slip), and the bytes actually written (not the sizes the archive
 * declares) are counted against the total and the compression ratio. The central directory is read first: every
 * name must decode (UTF-8) and be usable (no control characters), no two entries may name the same file, and every
 * entry the local headers hold must be listed there (no hidden entries). Anything else stops the extraction with an
 * {@link IOException} that says why; the caller deletes the partial directory and the download.
 */
final class ArchiveExtractor {
    /** Archives smaller than this are held to the ratio as if they were this large. */
    private static final long RATIO_FLOOR_BYTES = 1024 * 1024;

    private final DownloadLimits limits;

    ArchiveExtractor(DownloadLimits limits) {
        this.limits = limits;
    }

    void unzip(Path archive, Path target) throws IOException {
        try {
            extract(archive, target);
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
            // a name the JDK cannot decode (not UTF-8) or turn into a path (NUL): an error, never a crash
            throw new IOException(
                    "the archive is malformed or has an entry with an unusable name; refusing to" + " unpack it");
        }
    }

    private void extract(Path archive, Path target) throws IOException {
        long archiveBytes = Files.size(archive);
        long byRatio = ratioBound(archiveBytes);
        long budget = Math.min(limits.maxExtractedBytes(), byRatio);
        String limit = budget == limits.maxExtractedBytes()
                ? limits.maxExtractedBytes() + " bytes (fledge.model.max-extracted-size)"
                : limits.maxRatio() + " times its size (fledge.model.max-compression-ratio)";
        Path root = target.toAbsolutePath().normalize();
        Set<String> listed = centralDirectory(archive, root);
        Set<String> seen = new HashSet<>();
        long written = 0;
        byte[] buffer = new byte[64 * 1024];
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(archive), StandardCharsets.UTF_8)) {
            for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                if (!listed.contains(entry.getName()) || !seen.add(entry.getName())) {
                    throw new IOException("the archive has an entry (" + printable(entry.getName())
                            + ") that its central directory does not list, or lists once; refusing to unpack it");
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
        if (seen.size() != listed.size()) {
            throw new IOException("the archive's central directory lists entries its contents do not hold;"
                    + " refusing to unpack it");
        }
    }

    /**
     * The entry names of the archive's central directory (what {@code unzip} and most tools list), checked before
     * anything is written: within the entry limit, each name usable, and no two names for the same file.
     */
    private Set<String> centralDirectory(Path archive, Path root) throws IOException {
        Set<String> names = new HashSet<>();
        Set<Path> paths = new HashSet<>();
        try (ZipFile zip = open(archive)) {
            for (var entries = zip.entries(); entries.hasMoreElements(); ) {
                ZipEntry entry = entries.nextElement();
                if (names.size() >= limits.maxEntries()) {
                    throw new IOException("the archive has more than " + limits.maxEntries()
                            + " entries (fledge.model.max-archive-entries)");
                }
                Path out = confined(root, entry.getName());
                if (!names.add(entry.getName()) || !paths.add(out)) {
                    throw new IOException(
                            "the archive holds " + printable(entry.getName()) + " twice; refusing to unpack it");
                }
            }
        }
        return names;
    }

    private static ZipFile open(Path archive) throws IOException {
        try {
            return new ZipFile(archive.toFile(), StandardCharsets.UTF_8);
        } catch (ZipException e) {
            // the JDK's reason ("invalid CEN header (bad entry name)") names no entry and no secret
            throw new IOException(
                    "the archive is not a well-formed zip (" + e.getMessage() + "); refusing to unpack it");
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
        if (name.isEmpty()
                || name.startsWith("/")
                || name.startsWith("\\")
                || name.contains(":")
                || name.chars().anyMatch(Character::isISOControl)) {
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
