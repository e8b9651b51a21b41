package dev.fledge.cli;

import dev.fledge.core.rollout.ManualAction;
import picocli.CommandLine.Command;

/** {@code skip-stage NAME}: sets fledge.dev/action=skip-stage. */
@Command(name = "skip-stage", description = "End the current stage now and go on to the next one.")
final class SkipStageCommand extends ActionCommand {
    SkipStageCommand(CliEnv env) {
        super(env, ManualAction.SKIP_STAGE);
    }
}
