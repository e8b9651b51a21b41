package dev.fledge.cli;

import dev.fledge.api.ModelRelease;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code get [NAME] [--watch]}: one release as a tree, or the namespace's releases as a table. */
@Command(
        name = "get",
        description = "Show a ModelRelease as a tree (stages, traffic, gates, events), "
                + "or list the namespace's releases when no NAME is given.")
final class GetCommand implements Callable<Integer> {
    private final CliEnv env;

    @Mixin
    ClusterOptions cluster;

    @Parameters(arity = "0..1", paramLabel = "NAME", description = "The ModelRelease.")
    String name;

    @Option(
            names = {"-w", "--watch"},
            description = "Redraw on every change until Ctrl-C.")
    boolean watch;

    GetCommand(CliEnv env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        try (Session s = Session.open(env, cluster)) {
            Snapshot snapshot = name == null
                    ? () -> new ReleaseList(s.style)
                            .render(s.store.list(), s.namespace(), env.clock().instant())
                    : () -> {
                        ModelRelease mr = s.store.get(name);
                        return new ReleaseTree(s.plans, s.style)
                                .render(mr, events(s, mr), env.clock().instant());
                    };
            if (!watch) {
                env.out().print(snapshot.render());
                return 0;
            }
            new ReleaseWatch(env, s, name).run(snapshot);
            return 0;
        }
    }

    /** The release's Events; a refusal to list them (e.g. RBAC) is shown in their place, not fatal. */
    private static ReleaseTree.Events events(Session s, ModelRelease mr) {
        try {
            return new ReleaseTree.Events(s.store.events(mr), null);
        } catch (CliError e) {
            return new ReleaseTree.Events(List.of(), e.getMessage());
        }
    }

    /** The text to show now. */
    @FunctionalInterface
    interface Snapshot {
        String render();
    }
}
