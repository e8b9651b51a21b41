package dev.fledge.cli;

import picocli.CommandLine.Command;

/** {@code pause NAME}: spec.paused=true. */
@Command(
        name = "pause",
        description = "Hold the rollout where it is (spec.paused=true): traffic stays, no gate moves it.")
final class PauseCommand extends PausedCommand {
    PauseCommand(CliEnv env) {
        super(env, true);
    }
}
