package dev.fledge.cli;

import dev.fledge.api.ModelRelease;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * pause and resume: set {@code spec.paused} with a JSON merge patch that touches no other field, as the Argo CD
 * actions do. Where a GitOps tool owns the spec and heals drift, it will set the field back: change it in Git there.
 */
abstract class PausedCommand implements Callable<Integer> {
    private final CliEnv env;
    private final boolean paused;

    @Mixin
    ClusterOptions cluster;

    @Parameters(paramLabel = "NAME", description = "The ModelRelease.")
    String name;

    PausedCommand(CliEnv env, boolean paused) {
        this.env = env;
        this.paused = paused;
    }

    @Override
    public Integer call() {
        try (Session s = Session.open(env, cluster)) {
            ModelRelease mr = s.store.get(name);
            String word = paused ? "paused" : "resumed";
            if (Boolean.TRUE.equals(mr.getSpec().getPaused()) == paused) {
                env.out()
                        .println("modelrelease.fledge.dev/" + name + " is already " + (paused ? "paused" : "not paused")
                                + " (spec.paused=" + paused + "); nothing changed");
                return 0;
            }
            s.store.mergePatch(name, Map.of("spec", Map.of("paused", paused)));
            env.out().println("modelrelease.fledge.dev/" + name + " " + word + " (spec.paused=" + paused + ")");
            return 0;
        }
    }
}
