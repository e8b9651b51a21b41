package dev.fledge.helm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.testsupport.FledgeChart;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chart's signing and model-server limit values (docs/security.md, "Operator settings"): each reaches the
 * operator's environment under the documented name, the signing key only as a reference to the admin's Secret (the
 * chart never renders a Secret holding it), and nothing when unset.
 */
class SigningValuesRenderTest {
    private static final Path REPO = ChartUnderTest.dir().getParent().getParent();

    private static String security() {
        try {
            return Files.readString(REPO.resolve("docs/security.md"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, EnvVar> env(FledgeChart chart) {
        Container c = chart.one(Deployment.class)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
        return DefaultRenderTest.env(c);
    }

    @Test
    void theOperatorWideSigningKeyIsAReferenceToTheNamedSecretKeyAsDocumented() {
        FledgeChart chart = ChartUnderTest.render("""
                operator:
                  notifications:
                    webhookUrl: https://hooks.example.com/fledge
                    signing: {existingSecret: fledge-webhook-signing, key: hmac}
                """);
        EnvVar key = env(chart).get("FLEDGE_NOTIFICATIONS_SIGNING_KEY");
        assertThat(key).as("the documented variable").isNotNull();
        assertThat(key.getValue()).as("never the key itself").isNull();
        assertThat(key.getValueFrom().getSecretKeyRef()).satisfies(ref -> {
            assertThat(ref.getName()).isEqualTo("fledge-webhook-signing");
            assertThat(ref.getKey()).isEqualTo("hmac");
        });
        assertThat(chart.all(Secret.class))
                .as("the chart renders no Secret with a key in it")
                .isEmpty();
        assertThat(security())
                .contains(
                        "| `FLEDGE_NOTIFICATIONS_SIGNING_KEY` | `operator.notifications.signing.existingSecret` / `.key` |");
    }

    @Test
    void theSigningKeyNameDefaultsToTheDocumentedKeyAndWithoutASecretNothingIsSigned() {
        assertThat(env(ChartUnderTest.render("""
                                operator:
                                  notifications:
                                    webhookUrl: https://hooks.example.com/fledge
                                    signing: {existingSecret: fledge-webhook-signing}
                                """))
                        .get("FLEDGE_NOTIFICATIONS_SIGNING_KEY")
                        .getValueFrom()
                        .getSecretKeyRef()
                        .getKey())
                .isEqualTo("signing-key");
        assertThat(env(ChartUnderTest.render("""
                        operator:
                          notifications: {webhookUrl: https://hooks.example.com/fledge}
                        """))).doesNotContainKey("FLEDGE_NOTIFICATIONS_SIGNING_KEY");
    }

    @Test
    void theModelServerLimitsReachTheOperatorWithTheDocumentedDefaults() {
        Map<String, EnvVar> defaults = env(ChartUnderTest.render(""));
        assertThat(defaults.get("FLEDGE_SERVER_MAX_DOWNLOAD_SIZE").getValue()).isEqualTo("20G");
        assertThat(defaults.get("FLEDGE_SERVER_MAX_EXTRACTED_SIZE").getValue()).isEqualTo("40G");
        assertThat(defaults.get("FLEDGE_SERVER_MAX_ARCHIVE_ENTRIES").getValue()).isEqualTo("10000");
        assertThat(defaults.get("FLEDGE_SERVER_MAX_COMPRESSION_RATIO").getValue())
                .isEqualTo("100");
        assertThat(security())
                .contains("| `FLEDGE_SERVER_MAX_DOWNLOAD_SIZE`, `_MAX_EXTRACTED_SIZE`, `_MAX_ARCHIVE_ENTRIES`,"
                        + " `_MAX_COMPRESSION_RATIO` | `operator.modelPods.downloadLimits.*` | 20G, 40G, 10000, 100 |");

        Map<String, EnvVar> set = env(ChartUnderTest.render("""
                operator:
                  modelPods:
                    downloadLimits: {maxDownloadSize: 5G, maxExtractedSize: 8G, maxArchiveEntries: 2000000, maxCompressionRatio: 20}
                """));
        assertThat(set.get("FLEDGE_SERVER_MAX_DOWNLOAD_SIZE").getValue()).isEqualTo("5G");
        assertThat(set.get("FLEDGE_SERVER_MAX_EXTRACTED_SIZE").getValue()).isEqualTo("8G");
        assertThat(set.get("FLEDGE_SERVER_MAX_ARCHIVE_ENTRIES").getValue())
                .as("a plain integer, not 2e+06")
                .isEqualTo("2000000");
        assertThat(set.get("FLEDGE_SERVER_MAX_COMPRESSION_RATIO").getValue()).isEqualTo("20");
    }
}
