package dev.fledge.helm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.testsupport.FledgeChart;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's quick start installs the chart as written: each {@code helm install} command and the {@code --set}
 * flags its prose gives (images, the Prometheus token and CA) render, and the values reach the objects they are
 * meant for.
 */
class ReadmeChartCommandsTest {
    private static final Path REPO = ChartUnderTest.dir().getParent().getParent();
    private static final String README = read(REPO.resolve("README.md"));
    private static final Pattern SET = Pattern.compile("--set ([A-Za-z0-9.\\[\\]]+)=([^\\s`]+)");

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String quickStart() {
        int start = README.indexOf("## Quick start");
        return README.substring(start, README.indexOf("\n## ", start + 1));
    }

    /** The helm commands of the quick start's sh blocks, continuation lines joined. */
    private static List<String> helmCommands() {
        List<String> commands = new ArrayList<>();
        Matcher block = Pattern.compile("```sh\\n(.*?)```", Pattern.DOTALL).matcher(quickStart());
        while (block.find()) {
            for (String line : block.group(1).replaceAll("\\\\\\n\\s*", " ").split("\n")) {
                if (line.strip().startsWith("helm ") && line.contains("helm/fledge")) {
                    commands.add(line.strip());
                }
            }
        }
        return commands;
    }

    private static Map<String, String> sets(String text) {
        Map<String, String> values = new LinkedHashMap<>();
        Matcher m = SET.matcher(text);
        while (m.find()) {
            values.put(m.group(1), m.group(2));
        }
        return values;
    }

    private static FledgeChart render(Map<String, String> values) {
        return FledgeChart.render(ChartUnderTest.dir(), ChartUnderTest.NAMESPACE, ChartUnderTest.KUBE_VERSION, values);
    }

    @Test
    void everyHelmInstallOfTheQuickStartRendersWithItsValues() {
        List<String> commands = helmCommands();

        assertThat(commands).hasSizeGreaterThanOrEqualTo(2);
        for (String command : commands) {
            Map<String, String> values = sets(command);
            FledgeChart chart = render(values);
            values.values()
                    .forEach(v -> assertThat(chart.yaml())
                            .as("%s: the value %s in the rendered chart", command, v)
                            .contains(v));
        }
    }

    @Test
    void thePrometheusInstallPointsTheGatesAtItAndScrapesTheModelPodsWithTheStacksLabel() {
        String command = helmCommands().stream()
                .filter(c -> c.contains("operator.prometheus.url"))
                .findFirst()
                .orElseThrow();
        Map<String, String> values = sets(command);
        FledgeChart chart = render(values);

        assertThat(chart.yaml()).contains("-upstream=" + values.get("operator.prometheus.url"));
        HasMetadata podMonitor = chart.ofKind("PodMonitor").get(0);
        assertThat(podMonitor.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
        assertThat(chart.ofKind("ServiceMonitor").get(0).getMetadata().getLabels())
                .containsEntry("release", "kube-prometheus-stack");
    }

    @Test
    void theQuickStartsSetFlagsForImagesTokenAndCaReachTheOperator() {
        Map<String, String> values = sets(quickStart().replaceAll("(?s)```sh\\n.*?```", ""));

        assertThat(values)
                .containsKeys(
                        "image.repository",
                        "operator.modelPods.defaultImage",
                        "operator.prometheus.auth.existingSecret",
                        "operator.prometheus.tls.caConfigMap");
        FledgeChart chart = render(values);
        assertThat(chart.yaml())
                .contains("image: \"" + values.get("image.repository") + ":0.1.0\"")
                .containsPattern("secretKeyRef:\\s+name: " + values.get("operator.prometheus.auth.existingSecret"))
                .containsPattern("configMap:\\s+name: " + values.get("operator.prometheus.tls.caConfigMap"));
        assertThat(chart.operatorEnv("FLEDGE_SERVER_DEFAULT_IMAGE"))
                .isEqualTo(values.get("operator.modelPods.defaultImage"));
    }
}
