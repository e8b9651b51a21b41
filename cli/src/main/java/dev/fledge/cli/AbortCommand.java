package dev.fledge.cli;

import dev.fledge.core.rollout.ManualAction;
import picocli.CommandLine.Command;

/** {@code abort NAME}: sets fledge.dev/action=abort. */
@Command(name = "abort", description = "Roll back now: all traffic returns to the stable version.")
final class AbortCommand extends ActionCommand {
    AbortCommand(CliEnv env) {
        super(env, ManualAction.ABORT);
    }
}
