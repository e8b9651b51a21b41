package dev.fledge.cli;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.core.rollout.ManualAction;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * promote, abort, retry, skip-stage: sets the {@code fledge.dev/action} annotation with a JSON merge patch (nothing
 * else is touched), exactly as the Argo CD actions do; the operator consumes and removes it on its next reconcile.
 */
abstract class ActionCommand implements Callable<Integer> {
    private final CliEnv env;
    private final ManualAction action;

    @Mixin
    ClusterOptions cluster;

    @Parameters(paramLabel = "NAME", description = "The ModelRelease.")
    String name;

    ActionCommand(CliEnv env, ManualAction action) {
        this.env = env;
        this.action = action;
    }

    @Override
    public Integer call() {
        try (Session s = Session.open(env, cluster)) {
            ModelRelease mr = s.store.get(name);
            String pending = ManualAction.requestedOn(mr)
                    .filter(a -> !a.equals(action.value()))
                    .orElse(null);
            s.store.mergePatch(name, Map.of("metadata", Map.of("annotations", Map.of(Labels.ACTION, action.value()))));
            env.out()
                    .println("modelrelease.fledge.dev/" + name + " " + action.value() + " requested ("
                            + Labels.ACTION + "=" + action.value()
                            + (pending == null ? "" : ", replacing the pending " + pending) + ")");
            return 0;
        }
    }
}
