package dev.fledge.server.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 15, finding 11: a model URI is the tenant's; the pod's disk, the files beside the model and the token are not. */
class ModelDownloadLimitsTest {
    static final long MIB = 1024 * 1024;
    static final String DESCRIPTOR = "{\"architecture\": \"mlp-10-128-64-10\", \"weights\": \"model\"}";

    @TempDir
    Path tmp;

    ModelLocator locator(DownloadLimits limits, ModelLocator.ArchiveFetcher fetcher) {
        return new ModelLocator(tmp.resolve("cache"), Map.of("https", fetcher), limits);
    }

    ModelLocator serving(byte[] archive) {
        return locator(DownloadLimits.defaults(), uri -> new ByteArrayInputStream(archive));
    }

    static byte[] zip(Map<String, byte[]> entries) throws IOException {
        var bytes = new ByteArrayOutputStream();
        try (var zip = new ZipOutputStream(bytes)) {
            for (var e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    @Test
    void anArchiveEntryThatClimbsOutOfTheModelDirectoryIsNeverWritten() throws Exception {
        for (String evil : new String[] {"../../escaped.txt", "v9/../../../escaped.txt", "/tmp/escaped-abs.txt"}) {
            byte[] archive = zip(Map.of(
                    ModelDescriptor.FILE_NAME,
                    DESCRIPTOR.getBytes(StandardCharsets.UTF_8),
                    evil,
                    "owned".getBytes(StandardCharsets.UTF_8)));
            assertThatThrownBy(() -> serving(archive).resolve("https://models.example/v9.zip", Optional.empty()))
                    .as(evil)
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("refusing to unpack");
        }
        try (Stream<Path> all = Files.walk(tmp)) {
            assertThat(all.filter(p -> p.getFileName().toString().startsWith("escaped")))
                    .isEmpty();
        }
        assertThat(Path.of("/tmp/escaped-abs.txt")).doesNotExist();
        assertThat(cached()).as("nothing half-unpacked stays in the cache").isEmpty();
    }

    @Test
    void aDownloadLargerThanTheLimitIsCutThereAndLeavesNothingBehind() {
        AtomicLong served = new AtomicLong();
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                served.incrementAndGet();
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                served.addAndGet(len);
                return len;
            }
        };
        ModelLocator locator = locator(new DownloadLimits(2 * MIB, 40 * MIB, 100, 100), uri -> endless);
        assertThatThrownBy(() -> locator.resolve("https://models.example/huge.zip", Optional.empty()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("larger than " + 2 * MIB + " bytes (fledge.model.max-download-size)");
        assertThat(served.get()).isLessThan(3 * MIB);
        assertThat(cached()).isEmpty();
    }

    @Test
    void noConfigSourceRaisesALimitAboveTheOperatorsVariable() {
        // A tenant's config file (ordinal 1000) or spelling fledge_model_max_download_size says 1T; the operator's
        // exact variables say 2M, 4M, 7 and 3.
        DownloadLimits raised = new DownloadLimits(1L << 40, 1L << 40, 1_000_000, 100_000);
        Map<String, String> operator = Map.of(
                "FLEDGE_MODEL_MAX_DOWNLOAD_SIZE", "2M",
                "FLEDGE_MODEL_MAX_EXTRACTED_SIZE", "4M",
                "FLEDGE_MODEL_MAX_ARCHIVE_ENTRIES", "7",
                "FLEDGE_MODEL_MAX_COMPRESSION_RATIO", "3");
        DownloadLimits capped = raised.cappedBy(operator::get);
        assertThat(capped.maxDownloadBytes()).isEqualTo(2 * MIB);
        assertThat(capped.maxExtractedBytes()).isEqualTo(4 * MIB);
        assertThat(capped.maxEntries()).isEqualTo(7);
        assertThat(capped.maxRatio()).isEqualTo(3);
        ModelLocator locator = locator(capped, uri -> new ByteArrayInputStream(new byte[(int) (3 * MIB)]));
        assertThatThrownBy(() -> locator.resolve("https://models.example/huge.zip", Optional.empty()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("larger than " + 2 * MIB + " bytes");
        // A lower configured value stays; no variable leaves the configuration as it is.
        DownloadLimits lower = new DownloadLimits(MIB, MIB, 5, 2);
        assertThat(lower.cappedBy(operator::get)).isEqualTo(lower);
        assertThat(raised.cappedBy(name -> null)).isEqualTo(raised);
        assertThatThrownBy(() -> raised.cappedBy(Map.of("FLEDGE_MODEL_MAX_DOWNLOAD_SIZE", "lots")::get))
                .isInstanceOf(ModelLoadException.class);
    }

    @Test
    void aZipBombStopsAtTheCompressionRatio() throws Exception {
        byte[] bomb = zip(Map.of(
                ModelDescriptor.FILE_NAME,
                DESCRIPTOR.getBytes(StandardCharsets.UTF_8),
                "zeros.bin",
                new byte[(int) (64 * MIB)]));
        assertThat((long) bomb.length).isLessThan(MIB);
        assertThatThrownBy(() -> locator(
                                new DownloadLimits(MIB * 1024, MIB * 1024, 100, 10),
                                uri -> new ByteArrayInputStream(bomb))
                        .resolve("https://models.example/bomb.zip", Optional.empty()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("10 times its size (fledge.model.max-compression-ratio)");
        assertThat(cached()).isEmpty();
    }

    @Test
    void anArchiveThatUnpacksBeyondTheTotalLimitIsRefused() throws Exception {
        byte[] noise = new byte[(int) (3 * MIB)];
        new Random(7).nextBytes(noise);
        byte[] archive = zip(
                Map.of(ModelDescriptor.FILE_NAME, DESCRIPTOR.getBytes(StandardCharsets.UTF_8), "weights.bin", noise));
        assertThatThrownBy(() -> locator(
                                new DownloadLimits(10 * MIB, 2 * MIB, 100, 100),
                                uri -> new ByteArrayInputStream(archive))
                        .resolve("https://models.example/big.zip", Optional.empty()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(2 * MIB + " bytes (fledge.model.max-extracted-size)");
    }

    @Test
    void tooManyEntriesAreRefused() throws Exception {
        var entries = new java.util.TreeMap<String, byte[]>();
        entries.put(ModelDescriptor.FILE_NAME, DESCRIPTOR.getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 50; i++) {
            entries.put("f" + i, new byte[0]);
        }
        byte[] archive = zip(entries);
        assertThatThrownBy(
                        () -> locator(new DownloadLimits(MIB, MIB, 20, 100), uri -> new ByteArrayInputStream(archive))
                                .resolve("https://models.example/many.zip", Optional.empty()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("more than 20 entries");
    }

    @Test
    void aPreSignedTokenNeverAppearsInTheError() {
        String uri = "https://user:hunter2@models.example/v9.zip?X-Amz-Signature=SECRETSIG&X-Amz-Credential=AKIA";
        ModelLocator.ArchiveFetcher quoting = u -> {
            throw new IOException("GET " + u + " failed: connection reset (query " + u.getRawQuery() + ")");
        };
        assertThatThrownBy(() -> locator(DownloadLimits.defaults(), quoting).resolve(uri, Optional.empty()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("models.example/v9.zip")
                .hasMessageContaining("connection reset")
                .satisfies(e -> assertThat(stackText(e)).doesNotContain("SECRETSIG", "AKIA", "hunter2"));
    }

    @Test
    void aDescriptorNamingAFileOutsideTheModelDirectoryIsRefused() throws Exception {
        Path outside = Files.writeString(tmp.resolve("secret.txt"), "token\n");
        Path model = Files.createDirectories(tmp.resolve("models/v1"));
        for (String vocabulary : new String[] {"../../secret.txt", outside.toString()}) {
            Files.writeString(
                    model.resolve(ModelDescriptor.FILE_NAME),
                    "{\"architecture\": \"word-lstm-lm\", \"weights\": \"model\", \"vocabulary\": \"" + vocabulary
                            + "\", \"embeddingSize\": 4, \"hiddenSize\": 4, \"contextLength\": 2}");
            assertThatThrownBy(() -> new ModelLoader(1, 1, java.time.Duration.ofSeconds(1), 1).load(model))
                    .as(vocabulary)
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("'vocabulary' must name a file inside the model directory");
        }
        Files.createSymbolicLink(model.resolve("vocabulary.txt"), outside);
        assertThatThrownBy(() -> ModelDescriptor.inside(model, "vocabulary", "vocabulary.txt"))
                .as("a symbolic link pointing out")
                .isInstanceOf(ModelLoadException.class);
        Files.writeString(
                model.resolve(ModelDescriptor.FILE_NAME),
                "{\"architecture\": \"mlp-10-128-64-10\", \"weights\": \"../../../etc/model\"}");
        assertThatThrownBy(() -> ModelDescriptor.read(model))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("'weights' must be a file name prefix");
    }

    @Test
    void anEntryWithANulOrNonUtf8NameIsAClearErrorAndLeavesNothingBehind() throws Exception {
        byte[] nul = zip(Map.of(
                ModelDescriptor.FILE_NAME, DESCRIPTOR.getBytes(StandardCharsets.UTF_8), "bad\0name.bin", new byte[9]));
        var latin1 = new ByteArrayOutputStream();
        try (var zip = new ZipOutputStream(latin1, StandardCharsets.ISO_8859_1)) {
            zip.putNextEntry(new ZipEntry(ModelDescriptor.FILE_NAME));
            zip.write(DESCRIPTOR.getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry("caf\u00e9.bin"));
            zip.write(new byte[9]);
        }
        for (byte[] archive : new byte[][] {nul, latin1.toByteArray()}) {
            assertThatThrownBy(() -> serving(archive).resolve("https://models.example/v9.zip", Optional.empty()))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("refusing to unpack");
            assertThat(cached())
                    .as("neither the download nor a partial extraction stays")
                    .isEmpty();
        }
    }

    @Test
    void aRuntimeFailureOfTheFetcherStillDeletesTheDownloadAndIsScrubbed() {
        String uri = "https://user:hunter2@models.example/v9.zip?token=SECRETTOKEN";
        ModelLocator.ArchiveFetcher failing = u -> {
            throw new IllegalArgumentException("unsupported URI " + u);
        };
        assertThatThrownBy(() -> locator(DownloadLimits.defaults(), failing).resolve(uri, Optional.empty()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("models.example/v9.zip")
                .satisfies(e -> assertThat(stackText(e)).doesNotContain("SECRETTOKEN", "hunter2"));
        assertThat(cached()).isEmpty();
    }

    @Test
    void aHostTheJdkCannotUseNeverShowsTheUriInTheError() {
        String uri = "https://user:hunter2@bad_host/v9.zip?token=SECRETTOKEN";
        ModelLocator real = locator(DownloadLimits.defaults(), new HttpsArchiveFetcher(Optional.empty()));
        assertThatThrownBy(() -> real.resolve(uri, Optional.empty()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("no valid host name")
                .satisfies(e -> assertThat(stackText(e)).doesNotContain("SECRETTOKEN", "hunter2", "bad_host"));
        assertThat(ModelLocator.scrubbed("GET " + uri + " failed", URI.create(uri)))
                .as("a registry authority's user info is scrubbed too")
                .doesNotContain("SECRETTOKEN", "hunter2");
        assertThat(cached()).isEmpty();
    }

    @Test
    void anArchiveHoldingOneNameTwiceIsRefused() throws Exception {
        byte[] archive = zip(new java.util.TreeMap<>(Map.of(
                ModelDescriptor.FILE_NAME,
                DESCRIPTOR.getBytes(StandardCharsets.UTF_8),
                "model-0000.params",
                "first".getBytes(StandardCharsets.UTF_8),
                "model-0001.params",
                "evil!".getBytes(StandardCharsets.UTF_8))));
        // the same name twice, in the local headers and the central directory alike (ZipOutputStream will not)
        byte[] twice = replaceAll(archive, "model-0001.params", "model-0000.params");
        assertThatThrownBy(() -> serving(twice).resolve("https://models.example/v9.zip", Optional.empty()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("twice; refusing to unpack");
        assertThat(cached()).isEmpty();
    }

    @Test
    void anEntryTheCentralDirectoryDoesNotListIsRefused() throws Exception {
        byte[] hiddenZip = zip(Map.of("hidden.bin", "not listed".getBytes(StandardCharsets.UTF_8)));
        byte[] visible = zip(Map.of(ModelDescriptor.FILE_NAME, DESCRIPTOR.getBytes(StandardCharsets.UTF_8)));
        // the hidden entry's local header and data, without its central directory, before a valid archive: a
        // streaming reader sees it, unzip and the central directory do not (the JDK allows data before an archive)
        int cenOffset = java.nio.ByteBuffer.wrap(hiddenZip, hiddenZip.length - 22 + 16, 4)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .getInt();
        var smuggled = new ByteArrayOutputStream();
        smuggled.write(hiddenZip, 0, cenOffset);
        smuggled.write(visible);
        byte[] archive = smuggled.toByteArray();
        assertThatThrownBy(() -> serving(archive).resolve("https://models.example/v9.zip", Optional.empty()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("central directory does not list");
        try (Stream<Path> all = Files.walk(tmp)) {
            assertThat(all.filter(p -> p.getFileName().toString().equals("hidden.bin")))
                    .isEmpty();
        }
        assertThat(cached()).isEmpty();
    }

    private static byte[] replaceAll(byte[] bytes, String from, String to) {
        byte[] f = from.getBytes(StandardCharsets.UTF_8);
        byte[] t = to.getBytes(StandardCharsets.UTF_8);
        byte[] out = bytes.clone();
        int replaced = 0;
        for (int i = 0; i + f.length <= out.length; i++) {
            if (java.util.Arrays.equals(out, i, i + f.length, f, 0, f.length)) {
                System.arraycopy(t, 0, out, i, t.length);
                replaced++;
            }
        }
        assertThat(replaced).isEqualTo(2);
        return out;
    }

    private java.util.List<Path> cached() {
        Path cache = tmp.resolve("cache");
        if (!Files.exists(cache)) {
            return java.util.List.of();
        }
        try (Stream<Path> all = Files.list(cache)) {
            return all.toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String stackText(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            sb.append(t).append('\n');
        }
        return sb.toString();
    }
}
