package dev.fledge.cli;

import picocli.CommandLine.Command;

/** {@code resume NAME}: spec.paused=false. */
@Command(name = "resume", description = "Let a paused rollout go on (spec.paused=false).")
final class ResumeCommand extends PausedCommand {
    ResumeCommand(CliEnv env) {
        super(env, false);
    }
}
