package dev.fledge.server.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fledge.server.config.FledgeConfig;
import dev.fledge.server.support.FixtureModels;
import dev.fledge.server.support.ModelZip;
import dev.fledge.server.support.MotoS3;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code s3://} models against a real S3-compatible server (moto) on loopback, credentials from files. */
class S3ModelStoreTest {
    private static MotoS3 s3;
    private static byte[] archive;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = MotoS3.start();
        archive = ModelZip.of(FixtureModels.model("v1"));
        s3.put("models", "assistant/1.0.0.zip", archive);
    }

    @AfterAll
    static void stopS3() throws Exception {
        s3.close();
    }

    private ModelLocator locator(Optional<String> keyFile) throws Exception {
        Path id = Files.writeString(tmp.resolve("access-key-id"), MotoS3.KEY_ID + "\n");
        Path secret = Files.writeString(tmp.resolve("secret-access-key"), MotoS3.SECRET);
        FledgeConfig.S3Config config = new FledgeConfig.S3Config() {
            public Optional<String> endpoint() {
                return Optional.of(s3.endpoint());
            }

            public String region() {
                return "us-east-1";
            }

            public Optional<Boolean> pathStyle() {
                return Optional.empty();
            }

            public Optional<String> accessKeyIdFile() {
                return Optional.of(keyFile.orElse(id.toString()));
            }

            public Optional<String> secretAccessKeyFile() {
                return Optional.of(secret.toString());
            }
        };
        return new ModelLocator(tmp.resolve("cache"), Map.of("s3", new S3ArchiveFetcher(config)));
    }

    @Test
    void anS3ArchiveIsDownloadedCheckedAndUnpackedIntoTheModelDirectory() throws Exception {
        Path dir = locator(Optional.empty())
                .resolve("s3://models/assistant/1.0.0.zip", Optional.of(ModelZip.sha256(archive)));
        assertThat(dir.resolve(ModelDescriptor.FILE_NAME)).exists();
        assertThat(Files.readAllBytes(dir.resolve("vocabulary.txt")))
                .isEqualTo(Files.readAllBytes(FixtureModels.model("v1").resolve("vocabulary.txt")));
        assertThat(ModelDescriptor.read(dir).kind()).isEqualTo(Architecture.WORD_LSTM_LM);
    }

    @Test
    void aSha256MismatchIsRefusedWithAClearReasonAndNothingIsCached() throws Exception {
        String wrong = "0".repeat(64);
        ModelLocator locator = locator(Optional.empty());
        assertThatThrownBy(() -> locator.resolve("s3://models/assistant/1.0.0.zip", Optional.of(wrong)))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("sha256 mismatch")
                .hasMessageContaining("expected " + wrong)
                .hasMessageContaining("got " + ModelZip.sha256(archive))
                .hasMessageNotContaining(MotoS3.SECRET)
                .hasMessageNotContaining(MotoS3.KEY_ID);
        try (var cached = Files.list(tmp.resolve("cache"))) {
            assertThat(cached.filter(Files::isDirectory)).isEmpty();
        }
    }

    @Test
    void aMissingObjectNamesTheBucketAndKeyAndS3sReason() throws Exception {
        assertThatThrownBy(() -> locator(Optional.empty()).resolve("s3://models/assistant/9.9.9.zip", Optional.empty()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("404")
                .hasMessageContaining("NoSuchKey")
                .hasMessageContaining("'assistant/9.9.9.zip'")
                .hasMessageNotContaining(MotoS3.SECRET);
    }

    @Test
    void anUnreadableCredentialsFileIsAClearError() throws Exception {
        assertThatThrownBy(() -> locator(Optional.of("/nowhere/key-id"))
                        .resolve("s3://models/assistant/1.0.0.zip", Optional.empty()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("cannot read fledge.model.s3.access-key-id-file");
    }
}
