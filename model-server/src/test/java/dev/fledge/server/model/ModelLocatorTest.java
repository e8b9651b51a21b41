package dev.fledge.server.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelLocatorTest {
    @TempDir
    Path tmp;

    private final AtomicInteger downloads = new AtomicInteger();

    private ModelLocator locator(byte[] archive) {
        return new ModelLocator(tmp.resolve("cache"), uri -> {
            downloads.incrementAndGet();
            return new ByteArrayInputStream(archive);
        });
    }

    private static byte[] zipWithDescriptor() throws Exception {
        var bytes = new ByteArrayOutputStream();
        try (var zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("v9/" + ModelDescriptor.FILE_NAME));
            zip.write("{\"architecture\": \"mlp-10-128-64-10\", \"weights\": \"model\"}"
                    .getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    @Test
    void fileUriIsTheModelDirectory() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("v1"));
        assertThat(locator(new byte[0]).resolve(dir.toUri().toString(), Optional.empty()))
                .isEqualTo(dir);
    }

    @Test
    void missingDirectoryIsAClearError() {
        assertThatThrownBy(() -> locator(new byte[0]).resolve("file:///nowhere/v1", Optional.empty()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("/nowhere/v1")
                .hasMessageContaining("does not exist");
    }

    @Test
    void fileUriMayNameAZipArchiveOnAVolumeWhichIsVerifiedUnpackedAndCached() throws Exception {
        byte[] zip = zipWithDescriptor();
        Path archive =
                Files.write(Files.createDirectories(tmp.resolve("volume")).resolve("v9.zip"), zip);
        ModelLocator locator = locator(new byte[0]);
        Path dir = locator.resolve(archive.toUri().toString(), Optional.of(sha256(zip)));
        assertThat(ModelDescriptor.read(dir).architecture()).isEqualTo("mlp-10-128-64-10");
        assertThat(dir).startsWith(tmp.resolve("cache"));
        assertThat(locator.resolve(archive.toUri().toString(), Optional.empty()))
                .isEqualTo(dir);
        assertThat(downloads).as("no https:// fetcher is used for a file").hasValue(0);
    }

    @Test
    void fileArchiveWithTheWrongChecksumIsRefused() throws Exception {
        Path archive = Files.write(tmp.resolve("v9.zip"), zipWithDescriptor());
        assertThatThrownBy(() -> locator(new byte[0]).resolve(archive.toUri().toString(), Optional.of("00".repeat(32))))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("sha256 mismatch");
        assertThat(tmp.resolve("cache")).isEmptyDirectory();
    }

    @Test
    void otherSchemesAreRefusedWithAClearMessage() {
        for (String uri : new String[] {"gs://models/assistant/2.0.0", "http://example.com/m.zip", "/plain/path"}) {
            assertThatThrownBy(() -> ModelLocator.validate(uri))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("unsupported scheme")
                    .hasMessageContaining("file://")
                    .hasMessageContaining("https://");
        }
    }

    private ModelLocator onClaim(Path mount) {
        return new ModelLocator(tmp.resolve("cache"), java.util.Map.of(), DownloadLimits.defaults(), mount);
    }

    @Test
    void pvcUriIsThePathOnTheMountedClaimADirectoryOrAVerifiedArchive() throws Exception {
        Path mount = Files.createDirectories(tmp.resolve("claim"));
        Path dir = Files.createDirectories(mount.resolve("assistant/v1"));
        assertThat(onClaim(mount).resolve("pvc://models-claim/assistant/v1", Optional.empty()))
                .isEqualTo(dir);
        assertThat(onClaim(mount).resolve("pvc://llama-3.1/assistant/v1", Optional.empty()))
                .as("a claim name whose last label starts with a digit (java.net.URI sees no host in it)")
                .isEqualTo(dir);
        byte[] zip = zipWithDescriptor();
        Files.write(mount.resolve("assistant/v9.zip"), zip);
        Path unpacked = onClaim(mount).resolve("pvc://models-claim/assistant/v9.zip", Optional.of(sha256(zip)));
        assertThat(ModelDescriptor.read(unpacked).architecture()).isEqualTo("mlp-10-128-64-10");
        assertThatThrownBy(() ->
                        onClaim(mount).resolve("pvc://models-claim/assistant/v9.zip", Optional.of("00".repeat(32))))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("sha256 mismatch");
    }

    @Test
    void pvcUriCannotLeaveItsClaimAndSaysWhatIsMissing() throws Exception {
        Path mount = Files.createDirectories(tmp.resolve("claim"));
        Files.createDirectories(tmp.resolve("outside"));
        for (String uri : new String[] {"pvc://c/../outside", "pvc://c/a/../../outside", "pvc://c/./x"}) {
            assertThatThrownBy(() -> onClaim(mount).resolve(uri, Optional.empty()))
                    .as(uri)
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining(". or .. segments");
        }
        Files.createSymbolicLink(mount.resolve("escape"), tmp.resolve("outside"));
        assertThatThrownBy(() -> onClaim(mount).resolve("pvc://c/escape", Optional.empty()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("leads out of its claim");
        for (String uri : new String[] {"pvc://Claim/x", "pvc://a..b/x", "pvc://-a/x", "pvc://a./x"}) {
            assertThatThrownBy(() -> ModelLocator.validate(uri))
                    .as(uri)
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("names a claim");
        }
        assertThatThrownBy(() -> onClaim(tmp.resolve("no-mount")).resolve("pvc://c/v1", Optional.empty()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("no claim is mounted at");
        assertThatThrownBy(() -> onClaim(mount).resolve("pvc://c/v2", Optional.empty()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void httpsArchiveIsDownloadedVerifiedUnpackedAndCached() throws Exception {
        byte[] zip = zipWithDescriptor();
        ModelLocator locator = locator(zip);
        Path dir = locator.resolve(
                "https://models.example/v9.zip", Optional.of(sha256(zip).toUpperCase()));
        assertThat(ModelDescriptor.read(dir).architecture()).isEqualTo("mlp-10-128-64-10");
        assertThat(locator.resolve("https://models.example/v9.zip", Optional.of(sha256(zip))))
                .isEqualTo(dir);
        assertThat(downloads).hasValue(1);
    }

    @Test
    void httpsArchiveWithTheWrongChecksumIsRefused() throws Exception {
        byte[] zip = zipWithDescriptor();
        assertThatThrownBy(() -> locator(zip).resolve("https://models.example/v9.zip", Optional.of("00".repeat(32))))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("sha256 mismatch");
    }
}
