package dev.fledge.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code history NAME}: status.history as a table. */
@Command(name = "history", description = "List the stages of recent rollouts (status.history), oldest first.")
final class HistoryCommand implements Callable<Integer> {
    private final CliEnv env;

    @Mixin
    ClusterOptions cluster;

    @Parameters(paramLabel = "NAME", description = "The ModelRelease.")
    String name;

    HistoryCommand(CliEnv env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        try (Session s = Session.open(env, cluster)) {
            env.out()
                    .print(new HistoryTable(s.style)
                            .render(s.store.get(name), env.clock().instant()));
            return 0;
        }
    }
}
