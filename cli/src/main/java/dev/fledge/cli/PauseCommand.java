package dev.fledge.cli;

import picocli.CommandLine.Command;

/** {@code pause NAME}: spec.paused=true. */
@Command(
        name = "pause",
        description =
                "Hold the rollout where it is (spec.paused=true): traffic stays and no stage moves forward; gates still run and a failing gate still rolls back.")
final class PauseCommand extends PausedCommand {
    PauseCommand(CliEnv env) {
        super(env, true);
    }
}
