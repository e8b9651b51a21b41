package dev.fledge.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;

/** Entry point of {@code kubectl-fledge} (cli/src/main/cli/kubectl-fledge): a plain JVM, no Quarkus. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        QuietLogging.apply();
        boolean terminal = System.console() != null;
        boolean color = terminal && System.getenv("NO_COLOR") == null && !"dumb".equals(System.getenv("TERM"));
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8));
        CliEnv env = new CliEnv(new KubeConfigClients(), Clock.systemUTC(), out, err, terminal, color);
        System.exit(FledgeCommand.run(env, args));
    }
}
