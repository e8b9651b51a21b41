package dev.fledge.server.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Turns {@code fledge.model.uri} into a local model directory.
 * {@code file://} points at the directory itself or at a zip archive of it on a mounted volume (a ConfigMap, a PVC);
 * {@code pvc://claim/path} is {@code path} on the claim the operator mounts read-only at {@link #CLAIM_MOUNT}, read as
 * a {@code file://} is, and never outside that mount; {@code https://} and {@code s3://} point at a zip archive. An archive is copied once into the
 * cache directory, checked against {@code fledge.model.sha256} when given, and unpacked there. Every other scheme is
 * refused.
 */
public final class ModelLocator {
    /**
     * Where the operator mounts the claim of a {@code pvc://} model URI, read-only (the operator's
     * {@code ModelClaim.MOUNT_PATH}: e2e {@code ModelClaimMountAgreesTest} fails when the two differ).
     */
    public static final String CLAIM_MOUNT = "/var/run/fledge/model";

    /**
     * A claim's name, a DNS-1123 subdomain, as the operator's {@code ModelClaim.CLAIM_NAME} and the CRD read it (e2e
     * {@code ModelClaimMountAgreesTest}). Parsed from the URI's text, not as a host: {@link URI} has no host for a
     * name whose last label starts with a digit ({@code llama-3.1}).
     */
    static final String CLAIM_NAME = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";

    private static final java.util.regex.Pattern PVC =
            java.util.regex.Pattern.compile("^pvc://(?<claim>" + CLAIM_NAME + ")(?<path>/.*)?$");

    private final Path cacheDir;
    private final Map<String, ArchiveFetcher> fetchers;
    private final DownloadLimits limits;
    private final Path claimMount;

    /** {@code https://} archives from this fetcher. */
    public ModelLocator(Path cacheDir, ArchiveFetcher https) {
        this(cacheDir, Map.of("https", https), DownloadLimits.defaults());
    }

    /** Archives by scheme ({@code https}, {@code s3}), within the default limits. */
    public ModelLocator(Path cacheDir, Map<String, ArchiveFetcher> fetchers) {
        this(cacheDir, fetchers, DownloadLimits.defaults());
    }

    /** Archives by scheme ({@code https}, {@code s3}), within the limits. */
    public ModelLocator(Path cacheDir, Map<String, ArchiveFetcher> fetchers, DownloadLimits limits) {
        this(cacheDir, fetchers, limits, Path.of(CLAIM_MOUNT));
    }

    /** As above, with the claim of a {@code pvc://} URI mounted at {@code claimMount} (a directory in tests). */
    ModelLocator(Path cacheDir, Map<String, ArchiveFetcher> fetchers, DownloadLimits limits, Path claimMount) {
        this.cacheDir = cacheDir;
        this.fetchers = Map.copyOf(fetchers);
        this.limits = limits;
        this.claimMount = claimMount;
    }

    /** The one small interface of model stores: opens the body of an archive URI (HTTPS, S3; a fake in tests). */
    @FunctionalInterface
    public interface ArchiveFetcher {
        InputStream open(URI uri) throws IOException;
    }

    /** Fails fast, before any loading, on a URI this server cannot serve from. */
    public static URI validate(String uri) {
        URI parsed;
        try {
            parsed = URI.create(uri.trim());
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException("fledge.model.uri is not a valid URI");
        }
        String scheme = Optional.ofNullable(parsed.getScheme()).orElse("").toLowerCase(Locale.ROOT);
        if (!scheme.equals("file") && !scheme.equals("https") && !scheme.equals("s3") && !scheme.equals("pvc")) {
            throw new ModelLoadException("unsupported scheme '" + scheme + "' in fledge.model.uri"
                    + "; the model server loads file:// and pvc:// directories and file://, pvc://, https:// or"
                    + " s3:// zip archives");
        }
        if (scheme.equals("pvc")) {
            claimPath(uri.trim());
            return parsed;
        }
        if (!scheme.equals("file") && parsed.getHost() == null) {
            // the JDK parses a host it cannot use (bad_host) as a "registry" authority, and its clients then quote
            // the whole URI, token and password included, in their errors: refuse it here, without echoing it
            throw new ModelLoadException("fledge.model.uri has no valid host name (letters, digits, '-' and '.')");
        }
        return parsed;
    }

    /**
     * The path of a {@code pvc://claim/path} URI inside its claim, as written (no percent-decoding), relative, without
     * {@code .} or {@code ..} segments (the CRD refuses those too).
     */
    static String claimPath(String pvc) {
        var m = PVC.matcher(pvc);
        if (!m.matches()) {
            throw new ModelLoadException("a pvc:// fledge.model.uri names a claim (a DNS subdomain: lower-case letters,"
                    + " digits, '-' and '.') and a path on it: pvc://claim/path");
        }
        String path = Optional.ofNullable(m.group("path")).orElse("");
        for (String segment : path.split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                throw new ModelLoadException("a pvc:// fledge.model.uri may not hold . or .. segments");
            }
        }
        return path.replaceAll("^/+", "");
    }

    /** {@code dir} on the claim, refused if it leads out of the mount (a symbolic link on the claim, say). */
    private Path onClaim(Path dir) {
        try {
            if (Files.exists(dir) && !dir.toRealPath().startsWith(claimMount.toRealPath())) {
                throw new ModelLoadException("the pvc:// fledge.model.uri leads out of its claim (a symbolic link?)");
            }
            return dir;
        } catch (IOException e) {
            throw new ModelLoadException("cannot read the pvc:// model on its claim: " + e.getMessage());
        }
    }

    public Path resolve(String uri, Optional<String> sha256) {
        URI parsed = validate(uri);
        boolean claim = parsed.getScheme().equalsIgnoreCase("pvc");
        if (parsed.getScheme().equalsIgnoreCase("file") || claim) {
            Path named;
            try {
                named = claim ? claimMount.resolve(claimPath(uri.trim())) : Path.of(parsed);
            } catch (IllegalArgumentException e) {
                throw new ModelLoadException("a file:// fledge.model.uri names a local directory (file:///dir)");
            }
            if (claim && !Files.isDirectory(claimMount)) {
                throw new ModelLoadException("no claim is mounted at " + claimMount + " for the pvc:// fledge.model.uri"
                        + " (the operator mounts the claim there; run the server by the operator, or use file://)");
            }
            Path dir = claim ? onClaim(named) : named;
            if (Files.isDirectory(dir)) {
                return dir;
            }
            if (Files.isRegularFile(dir)) {
                return download(
                        parsed,
                        file -> Files.newInputStream(dir),
                        sha256.map(s -> s.trim().toLowerCase(Locale.ROOT)));
            }
            throw new ModelLoadException(
                    "model directory or archive " + dir + " (from fledge.model.uri) does not exist");
        }
        ArchiveFetcher fetcher = fetchers.get(parsed.getScheme().toLowerCase(Locale.ROOT));
        if (fetcher == null) {
            throw new ModelLoadException(parsed.getScheme() + ":// models are not configured here");
        }
        return download(parsed, fetcher, sha256.map(s -> s.trim().toLowerCase(Locale.ROOT)));
    }

    /**
     * What an error may show of a model URI: scheme, host, port and path. Never the query (where pre-signed URLs
     * carry their signature) nor user info.
     */
    static String shown(URI uri) {
        return uri.getScheme() + "://" + Optional.ofNullable(uri.getHost()).orElse("")
                + (uri.getPort() > 0 ? ":" + uri.getPort() : "")
                + Optional.ofNullable(uri.getPath()).orElse("");
    }

    /**
     * A client library's message with the URI's secrets taken out: a fetcher (or what it calls) may quote the whole
     * URI, its query or its user info, and the message goes to the log and the pod's termination message.
     */
    static String scrubbed(String message, URI uri) {
        if (message == null) {
            return "";
        }
        String out = message.replace(uri.toString(), shown(uri));
        String authority = uri.getRawAuthority();
        String registryUserInfo = authority != null && authority.contains("@")
                ? authority.substring(0, authority.lastIndexOf('@'))
                : null;
        for (String secret : new String[] {
            uri.getRawQuery(),
            uri.getQuery(),
            uri.getRawUserInfo(),
            uri.getUserInfo(),
            registryUserInfo,
            uri.getRawFragment(),
            uri.getFragment()
        }) {
            if (secret != null && !secret.isEmpty()) {
                out = out.replace(secret, "<redacted>");
            }
        }
        return out;
    }

    private Path download(URI uri, ArchiveFetcher fetcher, Optional<String> expected) {
        Path target = cacheDir.resolve(hex(sha256Of(uri.toString())).substring(0, 32));
        Path marker = target.resolve(".fledge-sha256");
        try {
            if (Files.isRegularFile(marker)) {
                String cached = Files.readString(marker).trim();
                if (expected.isEmpty() || expected.get().equals(cached)) {
                    return modelRoot(target);
                }
            }
            Files.createDirectories(cacheDir);
            Path archive = Files.createTempFile(cacheDir, "download-", ".zip");
            Path staging = null;
            boolean done = false;
            try {
                String actual;
                try (InputStream body =
                                new DownloadWatchdog(fetcher.open(uri), limits.idleTimeout(), limits.timeout());
                        DigestInputStream in = new DigestInputStream(body, MessageDigest.getInstance("SHA-256"));
                        OutputStream out = Files.newOutputStream(archive)) {
                    ArchiveExtractor.copyAtMost(in, out, limits.maxDownloadBytes());
                    actual = hex(in.getMessageDigest().digest());
                }
                if (expected.isPresent() && !expected.get().equals(actual)) {
                    throw new ModelLoadException("sha256 mismatch for the model archive " + shown(uri)
                            + ": expected " + expected.get() + " (fledge.model.sha256), got " + actual
                            + "; refusing to load it");
                }
                staging = Files.createTempDirectory(cacheDir, "unpack-");
                new ArchiveExtractor(limits).unzip(archive, staging);
                Files.writeString(staging.resolve(".fledge-sha256"), actual, StandardCharsets.UTF_8);
                deleteTree(target);
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                done = true;
                return modelRoot(target);
            } finally {
                // whatever failed (a fetcher's or the JDK's runtime exception too), the download and any partial
                // extraction go: the archive may be tens of GiB
                Files.deleteIfExists(archive);
                if (!done && staging != null) {
                    deleteTree(staging);
                }
            }
        } catch (ModelLoadException e) {
            throw e;
        } catch (IOException | NoSuchAlgorithmException | RuntimeException e) {
            throw new ModelLoadException(
                    "cannot download model from " + shown(uri) + ": " + scrubbed(e.getMessage(), uri));
        }
    }

    /** The archive may hold the model files at its root or inside one top-level directory. */
    private static Path modelRoot(Path unpacked) throws IOException {
        if (Files.exists(unpacked.resolve(ModelDescriptor.FILE_NAME))) {
            return unpacked;
        }
        try (Stream<Path> children = Files.list(unpacked)) {
            return children.filter(p -> Files.exists(p.resolve(ModelDescriptor.FILE_NAME)))
                    .findFirst()
                    .orElseThrow(() -> new ModelLoadException("archive has no " + ModelDescriptor.FILE_NAME));
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static byte[] sha256Of(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
