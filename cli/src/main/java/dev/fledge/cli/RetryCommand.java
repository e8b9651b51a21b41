package dev.fledge.cli;

import dev.fledge.core.rollout.ManualAction;
import picocli.CommandLine.Command;

/** {@code retry NAME}: sets fledge.dev/action=retry. */
@Command(name = "retry", description = "Roll the rolled-back version out again, from preflight.")
final class RetryCommand extends ActionCommand {
    RetryCommand(CliEnv env) {
        super(env, ManualAction.RETRY);
    }
}
