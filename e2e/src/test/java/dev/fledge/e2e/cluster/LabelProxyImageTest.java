package dev.fledge.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.e2e.apiserver.RepoFiles;
import java.nio.file.Files;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The prom-label-proxy image the cluster tier builds ({@code images.sh labelproxy}, tagged {@code v} + the version
 * {@code e2e/prometheus/prom-label-proxy.sh} builds) is the one the chart runs by default: {@link ClusterChart} keeps
 * the chart's tag, so a version bumped in one place only would leave the operator pod waiting for an image that is
 * not there. Runs in every build, no cluster needed.
 */
class LabelProxyImageTest {
    @Test
    void theVersionBuiltIsTheChartsDefaultTag() throws Exception {
        String script = Files.readString(RepoFiles.repo().resolve("e2e/prometheus/prom-label-proxy.sh"));
        Matcher version = Pattern.compile("(?m)^VERSION=\"([0-9.]+)\"").matcher(script);
        assertThat(version.find()).as("VERSION= in prom-label-proxy.sh").isTrue();

        String values = Files.readString(RepoFiles.repo().resolve("helm/fledge/values.yaml"));
        Matcher tag = Pattern.compile(
                        "(?s)labelProxy:.*?image:\\s*\\n\\s*repository: quay.io/prometheuscommunity/prom-label-proxy\\s*\\n\\s*tag: (\\S+)")
                .matcher(values);
        assertThat(tag.find())
                .as("operator.prometheus.labelProxy.image.tag in values.yaml")
                .isTrue();
        assertThat(tag.group(1)).isEqualTo("v" + version.group(1));
    }
}
