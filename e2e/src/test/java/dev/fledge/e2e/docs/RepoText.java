package dev.fledge.e2e.docs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.fledge.e2e.apiserver.RepoFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The repository's docs and the code they describe, as text: the files Git tracks, nothing else. {@code code} is every
 * source that is not a doc, in one string: where an environment variable or a setting must be read or set.
 */
record RepoText(Map<String, String> docs, Map<String, String> sources, String code) {
    private static final Set<String> TEXT_SUFFIXES = Set.of(
            ".java", ".yaml", ".yml", ".json", ".tpl", ".txt", ".properties", ".sh", ".py", ".xml", ".toml", ".lua");

    static RepoText load() {
        Path root = RepoFiles.repo();
        Map<String, String> docs = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        for (String file : trackedFiles(root)) {
            if (file.startsWith("vendor/")) {
                continue;
            }
            if (file.endsWith(".md")) {
                docs.put(file, read(root.resolve(file)));
            } else if (isText(file)) {
                sources.put(file, read(root.resolve(file)));
            }
        }
        return new RepoText(docs, sources, String.join("\n", sources.values()));
    }

    private static boolean isText(String file) {
        String name = file.substring(file.lastIndexOf('/') + 1);
        return name.equals("Makefile")
                || name.equals("kubectl-fledge")
                || name.equals("run")
                || TEXT_SUFFIXES.stream().anyMatch(name::endsWith);
    }

    Set<String> makeTargets() {
        return matches(sources.get("Makefile"), "(?m)^([a-z][a-z0-9-]*):");
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> values() {
        try {
            return new ObjectMapper(new YAMLFactory()).readValue(sources.get("helm/fledge/values.yaml"), Map.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The settings the operator reads: {@code @ConfigProperty} names and its application.properties keys. */
    Set<String> operatorSettings() {
        Set<String> names = new TreeSet<>();
        sources.forEach((file, text) -> {
            if (file.startsWith("operator/src/main/java/")) {
                names.addAll(matches(text, "@ConfigProperty\\(\\s*name\\s*=\\s*\"(fledge\\.[^\"]+)\""));
            }
        });
        names.addAll(matches(
                sources.getOrDefault("operator/src/main/resources/application.properties", ""),
                "(?m)^(?:%[a-z]+\\.)?(fledge\\.[a-z.-]+)\\s*="));
        return names;
    }

    /**
     * A setting some component reads besides the operator's own: named literally in the code (a Maven property, an
     * application.properties key), or a model-server {@code @ConfigMapping} method ({@code fledge.model.ca-file} is
     * {@code caFile()} in the model server).
     */
    boolean readsSetting(String name) {
        if (code().contains(name)) {
            return true;
        }
        String last = name.substring(name.lastIndexOf('.') + 1);
        String camel = Pattern.compile("-([a-z0-9])")
                .matcher(last)
                .replaceAll(m -> m.group(1).toUpperCase(Locale.ROOT));
        return sources.entrySet().stream()
                .anyMatch(e -> e.getKey().startsWith("model-server/src/main/java/")
                        && e.getValue().contains(" " + camel + "("));
    }

    /** The {@code fledge.*} settings the docs name that a component reads (the model server's among them). */
    Stream<String> documentedComponentSettings() {
        Set<String> names = new TreeSet<>();
        docs.values()
                .forEach(text ->
                        names.addAll(matches(text, "`(fledge\\.(?!dev\\b)[a-z0-9-]+(?:\\.[a-z0-9-]*[a-z0-9])+)`")));
        return names.stream().filter(this::readsSetting);
    }

    /** Metric names the operator and the model server define. */
    Set<String> metricNames() {
        Set<String> names = new TreeSet<>(operatorMetricNames());
        names.addAll(modelServerMetricNames());
        return names;
    }

    /** Metric names the model server defines. */
    Set<String> modelServerMetricNames() {
        Set<String> names = new TreeSet<>();
        sources.forEach((file, text) -> {
            if (file.startsWith("model-server/src/main/java/")) {
                names.addAll(matches(text, "\"(fledge_[a-z_]+)\""));
            }
        });
        return names;
    }

    Set<String> operatorMetricNames() {
        Set<String> names = new TreeSet<>();
        sources.forEach((file, text) -> {
            if (file.startsWith("operator/src/main/java/")) {
                names.addAll(matches(text, "\"(fledge_[a-z_]+)\""));
            }
        });
        return names;
    }

    private static Set<String> matches(String text, String regex) {
        Set<String> found = new TreeSet<>();
        Matcher m = Pattern.compile(regex).matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    private static List<String> trackedFiles(Path root) {
        try {
            Process git = new ProcessBuilder("git", "-C", root.toString(), "ls-files")
                    .redirectErrorStream(true)
                    .start();
            List<String> files;
            try (Stream<String> lines = git.inputReader(StandardCharsets.UTF_8).lines()) {
                files = lines.filter(f -> Files.isRegularFile(root.resolve(f))).toList();
            }
            if (git.waitFor() != 0 || files.isEmpty()) {
                throw new IllegalStateException("git ls-files failed in " + root);
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
