package dev.fledge.e2e.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.spec.MetricTemplate;
import dev.fledge.api.spec.ServerProfile;
import dev.fledge.core.rollout.ConditionReason;
import dev.fledge.core.rollout.EventReason;
import dev.fledge.operator.gates.metric.ProfileQueries;
import dev.fledge.operator.workload.CanaryPods;
import dev.fledge.operator.workload.PodTrouble;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What the docs name exists in the code: {@code make} targets, chart values, environment variables, operator
 * settings, metric names, event reasons and condition reasons. For event reasons, condition reasons, operator
 * metrics and settings the reverse holds too: the code emits nothing the runbook does not explain.
 */
class DocsNameTheCodeTest {

    private static final RepoText REPO = RepoText.load();

    @Test
    void everyMakeTargetTheDocsNameExists() {
        Set<String> targets = REPO.makeTargets();
        Set<String> missing = new TreeSet<>();
        for (Map.Entry<String, String> doc : REPO.docs().entrySet()) {
            Matcher m = Pattern.compile("`make ([a-z][a-z0-9-]*)").matcher(doc.getValue());
            while (m.find()) {
                if (!targets.contains(m.group(1))) {
                    missing.add(doc.getKey() + ": make " + m.group(1));
                }
            }
        }
        assertThat(missing)
                .as("make targets the docs name that the Makefile lacks")
                .isEmpty();
    }

    @Test
    void everyMakeVariableTheDocsSetIsReadByTheMakefile() {
        String makefile = REPO.sources().get("Makefile");
        Set<String> missing = new TreeSet<>();
        for (Map.Entry<String, String> doc : REPO.docs().entrySet()) {
            Matcher m = Pattern.compile(
                            "(?m)(?:`|^[ \\t]*)make [a-z][a-z0-9-]*((?:[ \\t]+[A-Z][A-Z0-9_]*=[^ \\t`\\n]*)+)")
                    .matcher(doc.getValue());
            while (m.find()) {
                Matcher v = Pattern.compile("([A-Z][A-Z0-9_]*)=").matcher(m.group(1));
                while (v.find()) {
                    if (!makefile.contains("$(" + v.group(1) + ")")) {
                        missing.add(doc.getKey() + ": " + v.group(1));
                    }
                }
            }
        }
        assertThat(missing)
                .as("make variables the docs set that the Makefile never reads")
                .isEmpty();
    }

    @Test
    void everyChartValueTheDocsNameExists() {
        Set<String> missing = new TreeSet<>();
        for (Map.Entry<String, String> doc : REPO.docs().entrySet()) {
            for (String path :
                    ChartValuePaths.mentionedIn(doc.getValue(), REPO.values().keySet())) {
                if (!ChartValuePaths.resolves(REPO.values(), path)) {
                    missing.add(doc.getKey() + ": " + path);
                }
            }
        }
        assertThat(missing)
                .as("chart values the docs name that values.yaml lacks")
                .isEmpty();
    }

    @Test
    void everyEnvironmentVariableTheDocsNameIsReadOrSetSomewhere() {
        Set<String> settingsAsEnv = Stream.concat(REPO.operatorSettings().stream(), REPO.documentedComponentSettings())
                .map(s -> s.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"))
                .collect(Collectors.toSet());
        Set<String> missing = new TreeSet<>();
        for (Map.Entry<String, String> doc : REPO.docs().entrySet()) {
            Matcher m = Pattern.compile("\\bFLEDGE_[A-Z0-9_]*[A-Z0-9]\\b").matcher(doc.getValue());
            while (m.find()) {
                if (!REPO.code().contains(m.group()) && !settingsAsEnv.contains(m.group())) {
                    missing.add(doc.getKey() + ": " + m.group());
                }
            }
        }
        assertThat(missing)
                .as("environment variables the docs name that no code reads or sets")
                .isEmpty();
    }

    @Test
    void operatorSettingsInTheDocsExistAndEveryOneIsDocumented() {
        Set<String> settings = REPO.operatorSettings();
        Set<String> unknown = new TreeSet<>();
        for (Map.Entry<String, String> doc : REPO.docs().entrySet()) {
            Matcher m = Pattern.compile("`(fledge\\.(?!dev\\b)[a-z0-9-]+(?:\\.[a-z0-9-]*[a-z0-9])+)[`=]")
                    .matcher(doc.getValue());
            while (m.find()) {
                if (!settings.contains(m.group(1)) && !REPO.readsSetting(m.group(1))) {
                    unknown.add(doc.getKey() + ": " + m.group(1));
                }
            }
        }
        String runbook = REPO.docs().get("docs/runbook.md");
        Set<String> undocumented = settings.stream()
                .filter(s -> !runbook.contains("`" + s + "`"))
                .collect(Collectors.toCollection(TreeSet::new));

        assertThat(unknown)
                .as("operator settings the docs name that the operator does not read")
                .isEmpty();
        assertThat(undocumented)
                .as("operator settings docs/runbook.md does not list")
                .isEmpty();
    }

    @Test
    void metricNamesInTheDocsExistAndTheRunbookListsEveryOperatorMetric() {
        Set<String> code = REPO.metricNames();
        Set<String> unknown = new TreeSet<>();
        for (Map.Entry<String, String> doc : REPO.docs().entrySet()) {
            Matcher m = Pattern.compile("\\bfledge_[a-z_]*[a-z]\\b").matcher(doc.getValue());
            while (m.find()) {
                if (!MetricName.isExported(m.group(), code)) {
                    unknown.add(doc.getKey() + ": " + m.group());
                }
            }
        }
        String runbook = REPO.docs().get("docs/runbook.md");
        Set<String> undocumented = REPO.operatorMetricNames().stream()
                .filter(name -> !Pattern.compile("`" + name + "(_[a-z]+)?`")
                        .matcher(runbook)
                        .find())
                .collect(Collectors.toCollection(TreeSet::new));

        assertThat(unknown).as("metric names the docs use that nothing exports").isEmpty();
        assertThat(undocumented)
                .as("operator metrics docs/runbook.md does not list")
                .isEmpty();
    }

    /** Every reason of the condition {@code CanaryNotReady} (the kubelet's, as {@code PodTrouble} reads them). */
    @Test
    void theRunbookExplainsEveryCanaryNotReadyReason() {
        String conditions = section(REPO.docs().get("docs/runbook.md"), "## Conditions");
        assertThat(conditions).contains("`" + CanaryPods.CANARY_NOT_READY + "`");
        assertThat(PodTrouble.REASONS.stream().filter(r -> !conditions.contains("`" + r + "`")))
                .as("CanaryNotReady reasons the runbook's Conditions section does not name")
                .isEmpty();
    }

    /**
     * The condition types the code writes (the four of {@code Conditions} and every warning condition, {@code new
     * SpecWarning(type, reason, ...)}) and the warnings' reasons are in the runbook's Conditions section; the
     * rollout reasons are {@link #theRunbookExplainsEveryConditionReason()}'s.
     */
    @Test
    void theRunbookExplainsEveryConditionTypeAndWarningReason() {
        String conditions = section(REPO.docs().get("docs/runbook.md"), "## Conditions");
        Set<String> written = new TreeSet<>();
        // a constant may be declared in another file (ModelReleaseReconciler's route conditions are Conditions')
        Map<String, String> everywhere = new HashMap<>();
        REPO.sources().forEach((file, text) -> {
            if (file.contains("/src/main/java/")) {
                everywhere.putAll(constants(text));
            }
        });
        REPO.sources().forEach((file, text) -> {
            if (!file.contains("/src/main/java/")) {
                return;
            }
            if (file.endsWith("/rollout/Conditions.java")) {
                written.addAll(constants(text).values());
            }
            // the reason may be a choice (cond ? A : B): both branches are written, the condition is not
            Matcher m = Pattern.compile("new SpecWarning\\(\\s*(\\w+|\"\\w+\"),\\s*(\\w+|\"\\w+\")"
                            + "(?:\\s*\\?\\s*(\\w+|\"\\w+\")\\s*:\\s*(\\w+|\"\\w+\"))?")
                    .matcher(text);
            Map<String, String> constants = constants(text);
            while (m.find()) {
                List<String> args = m.group(3) == null
                        ? List.of(m.group(1), m.group(2))
                        : List.of(m.group(1), m.group(3), m.group(4));
                // CanaryNotReady's reason is the kubelet's, read from a pod (f.reason()): its type is checked here,
                // its reasons by theRunbookExplainsEveryCanaryNotReadyReason
                if (file.endsWith("/workload/CanaryPods.java")) {
                    args = List.of(m.group(1));
                }
                for (String arg : args) {
                    written.add(
                            arg.startsWith("\"")
                                    ? arg.replace("\"", "")
                                    : constants.getOrDefault(arg, everywhere.getOrDefault(arg, arg)));
                }
            }
        });
        Set<String> undocumented = written.stream()
                .filter(name -> !conditions.contains("`" + name + "`"))
                .collect(Collectors.toCollection(TreeSet::new));

        assertThat(written).contains("Ready", "Degraded", "AudienceNotRouted");
        assertThat(undocumented)
                .as("condition types and warning reasons the runbook's Conditions section does not explain")
                .isEmpty();
    }

    private static Map<String, String> constants(String javaSource) {
        Map<String, String> constants = new HashMap<>();
        Matcher m = Pattern.compile("static final String (\\w+) = \"(\\w+)\";").matcher(javaSource);
        while (m.find()) {
            constants.put(m.group(1), m.group(2));
        }
        return constants;
    }

    /** docs/model-server.md's contract names every environment variable the operator sets on a model container. */
    @Test
    void theModelServerContractNamesEveryVariableTheOperatorSets() {
        String contract = section(REPO.docs().get("docs/model-server.md"), "## Contract with the operator");
        String workload = "operator/src/main/java/dev/fledge/operator/workload/";
        Set<String> set = new TreeSet<>();
        Matcher m = Pattern.compile("withName\\(\"([A-Z][A-Z0-9_]*)\"\\)")
                .matcher(REPO.sources().get(workload + "DesiredDeployment.java"));
        while (m.find()) {
            set.add(m.group(1));
        }
        m = Pattern.compile("\\benv\\(\"([A-Z][A-Z0-9_]*)\",")
                .matcher(REPO.sources().get(workload + "ModelServerLimits.java"));
        while (m.find()) {
            set.add(m.group(1));
        }
        m = Pattern.compile("_ENV = \"([A-Z][A-Z0-9_]*)\";")
                .matcher(REPO.sources().get(workload + "ModelStoreS3.java"));
        while (m.find()) {
            set.add(m.group(1));
        }
        Set<String> unnamed = set.stream()
                .filter(name -> !contract.contains("`" + name + "`"))
                .collect(Collectors.toCollection(TreeSet::new));

        assertThat(set).contains("FLEDGE_MODEL_URI", "FLEDGE_MODEL_MAX_DOWNLOAD_SIZE", "FLEDGE_MODEL_S3_ENDPOINT");
        assertThat(unnamed)
                .as("variables the operator sets on model containers that docs/model-server.md's contract omits")
                .isEmpty();
    }

    /** docs/model-server.md's Metrics table lists every series the model server exports (the server's contract). */
    @Test
    void theModelServerDocsListEveryMetricTheServerExports() {
        Set<String> listed =
                tableColumnNames(section(REPO.docs().get("docs/model-server.md"), "## Metrics"), "fledge_[a-z_]+");
        Set<String> undocumented = new TreeSet<>(REPO.modelServerMetricNames());
        undocumented.removeAll(listed);

        assertThat(REPO.modelServerMetricNames()).isNotEmpty();
        assertThat(undocumented)
                .as("model-server metrics the Metrics table of docs/model-server.md does not list")
                .isEmpty();
    }

    @Test
    void theRunbookExplainsEveryEventReasonAndNamesNoOther() {
        String runbook = REPO.docs().get("docs/runbook.md");
        Set<String> reasons =
                Arrays.stream(EventReason.values()).map(Enum::name).collect(Collectors.toSet());
        Set<String> undocumented = reasons.stream()
                .filter(r -> !runbook.contains("`" + r + "`"))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> unknown = new TreeSet<>(tableColumn(section(runbook, "## Events"), 0));
        unknown.removeAll(reasons);

        assertThat(undocumented)
                .as("event reasons docs/runbook.md does not explain")
                .isEmpty();
        assertThat(unknown)
                .as("event reasons in the runbook's table that the code never emits")
                .isEmpty();
    }

    @Test
    void theRunbookExplainsEveryConditionReason() {
        String runbook = REPO.docs().get("docs/runbook.md");
        List<String> undocumented = Arrays.stream(ConditionReason.values())
                .map(Enum::name)
                .filter(r -> !runbook.contains("`" + r + "`"))
                .toList();

        assertThat(undocumented)
                .as("condition reasons docs/runbook.md does not explain")
                .isEmpty();
    }

    /**
     * docs/model-server.md "Built-in queries" quotes the operator's built-in PromQL exactly (whitespace aside, which
     * PromQL ignores here), so a change of the query that the docs do not follow fails.
     */
    @Test
    void theBuiltInQueriesAreQuotedExactlyInTheDocs() {
        String doc = section(REPO.docs().get("docs/model-server.md"), "### Built-in queries");
        Set<String> blocks = new TreeSet<>();
        Matcher m = Pattern.compile("```promql\n(.*?)```", Pattern.DOTALL).matcher(doc);
        while (m.find()) {
            blocks.add(m.group(1).replaceAll("\\s+", ""));
        }
        for (MetricTemplate template : MetricTemplate.values()) {
            ProfileQueries.of(ServerProfile.FLEDGE, template)
                    .ifPresent(q -> assertThat(blocks)
                            .as("docs/model-server.md quotes the %s query", template)
                            .contains(q.replaceAll("\\s+", "")));
        }
    }

    /**
     * Issue 17 part 4: docs/servers.md quotes every other server profile's built-in PromQL exactly, and names in its
     * table every template a profile offers and only those (the rest are marked with a dash).
     */
    @Test
    void everyServerProfilesQueriesAreQuotedExactlyInTheServersPage() {
        String doc = REPO.docs().get("docs/servers.md");
        Set<String> blocks = new TreeSet<>();
        Matcher m = Pattern.compile("```promql\n(.*?)```", Pattern.DOTALL).matcher(doc);
        while (m.find()) {
            blocks.add(m.group(1).replaceAll("\\s+", ""));
        }
        String templates = section(doc, "## Templates by server");
        for (ServerProfile profile : ServerProfile.values()) {
            String row = templates
                    .lines()
                    .filter(l -> l.startsWith("| `" + profile.wireName() + "`")
                            || l.contains(", `" + profile.wireName() + "` |"))
                    .findFirst()
                    .orElseThrow(
                            () -> new AssertionError("docs/servers.md has no row for profile " + profile.wireName()));
            String[] cells = row.split("\\|");
            for (MetricTemplate template : MetricTemplate.values()) {
                String cell = cells[2 + template.ordinal()].trim();
                var query = ProfileQueries.of(profile, template);
                assertThat(cell.startsWith("—"))
                        .as("docs/servers.md marks %s %s as missing: %s", profile.wireName(), template.wireName(), cell)
                        .isEqualTo(query.isEmpty());
                if (query.isPresent() && profile != ServerProfile.FLEDGE && profile != ServerProfile.OPENAI) {
                    assertThat(blocks)
                            .as("docs/servers.md quotes the %s %s query", profile.wireName(), template.wireName())
                            .contains(query.get().replaceAll("\\s+", ""));
                }
            }
        }
    }

    /** The text of a {@code ##} section, up to the next heading of the same level. */
    static String section(String markdown, String heading) {
        int start = markdown.indexOf("\n" + heading + "\n");
        assertThat(start).as("section %s", heading).isNotNegative();
        int end = markdown.indexOf("\n## ", start + heading.length() + 2);
        return markdown.substring(start, end < 0 ? markdown.length() : end);
    }

    /** The backticked names matching {@code name} in the first column of the Markdown tables in a text. */
    static Set<String> tableColumnNames(String text, String name) {
        Set<String> names = new TreeSet<>();
        for (String line : text.split("\n")) {
            String[] cells = line.split("\\|");
            if (line.startsWith("|") && cells.length > 1) {
                Matcher m = Pattern.compile("`(" + name + ")`").matcher(cells[1]);
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }

    /** The backticked names in one column of the Markdown tables in a text. */
    static Set<String> tableColumn(String text, int column) {
        Set<String> names = new TreeSet<>();
        for (String line : text.split("\n")) {
            if (!line.startsWith("|") || line.startsWith("|--") || line.startsWith("| --")) {
                continue;
            }
            String[] cells = line.split("\\|");
            if (cells.length > column + 1) {
                Matcher m = Pattern.compile("`([A-Za-z]+)`").matcher(cells[column + 1]);
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }
}
