package dev.fledge.cli;

import dev.fledge.core.rollout.ManualAction;
import picocli.CommandLine.Command;

/** {@code promote NAME}: sets fledge.dev/action=promote. */
@Command(
        name = "promote",
        description =
                "Promote the canary now: the remaining stages are skipped and the stable Deployment takes the new version.")
final class PromoteCommand extends ActionCommand {
    PromoteCommand(CliEnv env) {
        super(env, ManualAction.PROMOTE);
    }
}
