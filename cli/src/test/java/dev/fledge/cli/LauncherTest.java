package dev.fledge.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher script (cli/src/main/cli/kubectl-fledge) as a user runs it: through a symlink on the PATH, a
 * plain JVM running the jar the build wrote (target/kubectl-fledge.jar, its dependencies in target/lib), a kubeconfig
 * naming the mock API server. Also
 * proves that Fabric8 finds an HTTP client outside Quarkus.
 */
class LauncherTest {
    static final Path SCRIPT = Path.of("src/main/cli/kubectl-fledge").toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void theLauncherOnThePathDrawsAReleaseFromTheKubeconfigsServer() throws Exception {
        assumeTrue(
                Files.exists(Path.of("target/kubectl-fledge.jar")),
                "target/kubectl-fledge.jar is written at process-classes");
        try (CliHarness cli = new CliHarness()) {
            Path bin = Files.createDirectories(dir.resolve("bin"));
            Files.createSymbolicLink(bin.resolve("kubectl-fledge"), SCRIPT);
            Path kubeconfig = kubeconfig(cli.config().getMasterUrl());

            Run get = run(bin, kubeconfig, "kubectl-fledge", "get", "assistant");
            assertThat(get.code).as(get.err).isZero();
            assertThat(get.out)
                    .startsWith("ModelRelease ml/assistant   Progressing\n")
                    .contains("├─ Stages (2.0.0)")
                    .contains("StageStarted     stage closed started for 2.0.0");
            assertThat(get.err).isEmpty();

            Run missing = run(bin, kubeconfig, "kubectl-fledge", "history", "nope");
            assertThat(missing.code).isEqualTo(1);
            assertThat(missing.err).isEqualTo("error: modelrelease \"nope\" not found in namespace \"ml\"\n");
        }
    }

    @Test
    void kubectlFindsThePlugin() throws Exception {
        assumeTrue(
                Files.exists(Path.of("target/kubectl-fledge.jar")),
                "target/kubectl-fledge.jar is written at process-classes");
        assumeTrue(onPath("kubectl"), "kubectl is not installed");
        try (CliHarness cli = new CliHarness()) {
            Path bin = Files.createDirectories(dir.resolve("bin"));
            Files.createSymbolicLink(bin.resolve("kubectl-fledge"), SCRIPT);
            Run get = run(bin, kubeconfig(cli.config().getMasterUrl()), "kubectl", "fledge", "get");
            assertThat(get.code).as(get.err).isZero();
            assertThat(get.out.lines().map(l -> l.split(" ")[0]))
                    .containsExactly("NAME", "assistant", "summarizer", "translator");
        }
    }

    private Path kubeconfig(String server) throws IOException {
        Path file = dir.resolve("kubeconfig");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "apiVersion: v1",
                        "kind: Config",
                        "clusters: [{name: mock, cluster: {server: \"" + server + "\"}}]",
                        "users: [{name: sre, user: {token: not-checked}}]",
                        "contexts: [{name: mock, context: {cluster: mock, user: sre, namespace: ml}}]",
                        "current-context: mock",
                        ""));
        return file;
    }

    private static boolean onPath(String command) {
        return List.of(System.getenv().getOrDefault("PATH", "").split(":")).stream()
                .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, command)));
    }

    private record Run(int code, String out, String err) {}

    private Run run(Path bin, Path kubeconfig, String... command) throws Exception {
        List<String> line = new ArrayList<>(List.of(command));
        if (Files.exists(bin.resolve(line.get(0)))) {
            line.set(0, bin.resolve(line.get(0)).toString());
        }
        ProcessBuilder pb = new ProcessBuilder(line);
        Map<String, String> env = pb.environment();
        env.put("PATH", bin + ":" + env.getOrDefault("PATH", ""));
        env.put("KUBECONFIG", kubeconfig.toString());
        env.put("HOME", dir.toString());
        Path out = dir.resolve("out");
        Path err = dir.resolve("err");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the launcher finished").isTrue();
        return new Run(
                p.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
