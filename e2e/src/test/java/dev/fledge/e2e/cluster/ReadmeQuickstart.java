package dev.fledge.e2e.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The commands of the README's "Quick start on a real cluster", read from the README itself, so that the cluster tier
 * runs what a newcomer types: the namespace, the ConfigMap of the models and the files in it, and the merge patch that
 * starts the rollout to 2.0.0. A README that no longer holds one of them fails the tier instead of drifting from it.
 *
 * @param namespace {@code kubectl create namespace <namespace>}
 * @param configMap {@code kubectl -n <namespace> create configmap <configMap> --from-file=...}
 * @param modelFiles the {@code --from-file} paths, relative to the repository
 * @param release the name in {@code kubectl -n <namespace> patch mrel <release> --type merge -p '<patch>'}
 * @param patch that patch's JSON
 */
record ReadmeQuickstart(String namespace, String configMap, List<String> modelFiles, String release, String patch) {

    private static final Pattern NAMESPACE =
            Pattern.compile("^\\s*kubectl create namespace (\\S+)$", Pattern.MULTILINE);
    private static final Pattern CONFIG_MAP =
            Pattern.compile("^\\s*kubectl -n (\\S+) create configmap (\\S+) \\\\$", Pattern.MULTILINE);
    private static final Pattern FROM_FILE = Pattern.compile("^\\s+--from-file=(\\S+?)( \\\\)?$", Pattern.MULTILINE);
    private static final Pattern PATCH = Pattern.compile(
            "^\\s*kubectl -n (\\S+) patch mrel (\\S+) --type merge \\\\\\n\\s+-p '([^']+)'$", Pattern.MULTILINE);

    static ReadmeQuickstart read(Path repo) {
        String readme;
        try {
            readme = Files.readString(repo.resolve("README.md"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int start = readme.indexOf("## Quick start on a real cluster");
        if (start < 0) {
            throw new IllegalStateException("README.md has no section '## Quick start on a real cluster'");
        }
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        Matcher ns = find(NAMESPACE, section, "kubectl create namespace");
        Matcher cm = find(CONFIG_MAP, section, "kubectl -n NS create configmap NAME \\");
        List<String> files = new ArrayList<>();
        Matcher f = FROM_FILE.matcher(section.substring(cm.end()));
        while (f.find() && files.size() < 16) {
            files.add(f.group(1));
            if (f.group(2) == null) {
                break;
            }
        }
        Matcher patch = find(PATCH, section, "kubectl -n NS patch mrel NAME --type merge \\ -p '...'");
        if (!ns.group(1).equals(cm.group(1)) || !ns.group(1).equals(patch.group(1))) {
            throw new IllegalStateException("the README's quick start uses more than one namespace: " + ns.group(1)
                    + ", " + cm.group(1) + ", " + patch.group(1));
        }
        if (files.isEmpty()) {
            throw new IllegalStateException("the README's configmap command names no --from-file");
        }
        return new ReadmeQuickstart(ns.group(1), cm.group(2), List.copyOf(files), patch.group(2), patch.group(3));
    }

    private static Matcher find(Pattern p, String text, String what) {
        Matcher m = p.matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("the README's quick start no longer has the command: " + what);
        }
        return m;
    }
}
