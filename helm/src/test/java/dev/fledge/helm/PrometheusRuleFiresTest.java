package dev.fledge.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rendered alerts fire, and only when they should: {@code promtool test rules} (from
 * Debian's prometheus package, which {@code make test} installs) evaluates them offline
 * against synthetic series.
 */
@Tag("prometheus")
class PrometheusRuleFiresTest {

    private static final String SERIES_LABELS = "namespace=\"ml\",release=\"assistant\"";

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> renderedGroupsWithoutAnnotations() {
        var rule = (GenericKubernetesResource) ChartUnderTest.render("prometheusRule: {enabled: true}\n")
                .ofKind("PrometheusRule")
                .get(0);
        var groups = (List<Map<String, Object>>)
                ((Map<String, Object>) rule.getAdditionalProperties().get("spec")).get("groups");
        // annotations are prose for humans; promtool would demand them verbatim
        groups.forEach(g -> ((List<Map<String, Object>>) g.get("rules")).forEach(r -> r.remove("annotations")));
        return groups;
    }

    private static Map<String, Object> alert(String evalTime, String name, Map<String, String> labels) {
        return Map.of(
                "eval_time",
                evalTime,
                "alertname",
                name,
                "exp_alerts",
                labels == null ? List.of() : List.of(Map.of("exp_labels", labels)));
    }

    private static Map<String, String> release(String severity) {
        return Map.of("namespace", "ml", "release", "assistant", "severity", severity);
    }

    @Test
    void alertsFireOnRollbackStuckRolloutFailureAndOperatorDown(@TempDir Path dir) throws Exception {
        Files.writeString(
                dir.resolve("rules.yaml"), Serialization.asYaml(Map.of("groups", renderedGroupsWithoutAnnotations())));
        Map<String, Object> test = Map.of(
                "interval", "1m",
                "input_series",
                        List.of(
                                // a rollback at minute 2
                                Map.of(
                                        "series",
                                        "fledge_release_transitions_total{" + SERIES_LABELS
                                                + ",from=\"Progressing\",to=\"RolledBack\"}",
                                        "values",
                                        "0 0 1x60"),
                                // another release whose deadline is 1h in; it is still under way at 200 minutes
                                Map.of(
                                        "series",
                                        "fledge_release_progress_deadline_timestamp_seconds{namespace=\"ml\",release=\"slow\"}",
                                        "values",
                                        "3600x200"),
                                // one with a deadline at 3h that finishes (0: no rollout) at 100 minutes
                                Map.of(
                                        "series",
                                        "fledge_release_progress_deadline_timestamp_seconds{namespace=\"ml\",release=\"quick\"}",
                                        "values",
                                        "10800x100 0x100"),
                                // one paused or promoted all along (no deadline running)
                                Map.of(
                                        "series",
                                        "fledge_release_progress_deadline_timestamp_seconds{namespace=\"ml\",release=\"idle\"}",
                                        "values",
                                        "0x200"),
                                // a third one failed from minute 0
                                Map.of(
                                        "series",
                                        "fledge_release_phase{namespace=\"ml\",release=\"broken\",phase=\"Failed\"}",
                                        "values",
                                        "1x30"),
                                // the operator is scraped until minute 3, then not
                                Map.of(
                                        "series",
                                        "up{job=\"fledge-metrics\",namespace=\"fledge-system\"}",
                                        "values",
                                        "1 1 1 0x30")),
                "alert_rule_test",
                        List.of(
                                alert("1m", "FledgeReleaseRolledBack", null),
                                alert("5m", "FledgeReleaseRolledBack", release("warning")),
                                alert("40m", "FledgeReleaseRolledBack", null),
                                alert("1h5m", "FledgeRolloutStuck", null),
                                alert(
                                        "1h12m",
                                        "FledgeRolloutStuck",
                                        Map.of("namespace", "ml", "release", "slow", "severity", "warning")),
                                alert(
                                        "3h15m",
                                        "FledgeRolloutStuck",
                                        Map.of("namespace", "ml", "release", "slow", "severity", "warning")),
                                alert("3m", "FledgeReleaseFailed", null),
                                alert(
                                        "10m",
                                        "FledgeReleaseFailed",
                                        Map.of(
                                                "namespace",
                                                "ml",
                                                "release",
                                                "broken",
                                                "phase",
                                                "Failed",
                                                "severity",
                                                "warning")),
                                alert("2m", "FledgeOperatorDown", null),
                                alert("12m", "FledgeOperatorDown", Map.of("severity", "critical"))));
        Files.writeString(
                dir.resolve("test.yaml"),
                Serialization.asYaml(Map.of(
                        "rule_files", List.of("rules.yaml"), "evaluation_interval", "1m", "tests", List.of(test))));

        Result result = promtool(dir, "test", "rules", "test.yaml");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS");
    }

    private record Result(int exitCode, String output) {}

    private static Result promtool(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(args));
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw new AssertionError(
                    "promtool is not installed: run `make prometheus` (Debian's prometheus package)", e);
        }
        assertThat(process.waitFor(60, TimeUnit.SECONDS))
                .as("promtool finished")
                .isTrue();
        return new Result(
                process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
