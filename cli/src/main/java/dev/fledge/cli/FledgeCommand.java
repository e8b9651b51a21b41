package dev.fledge.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code kubectl fledge}: the SRE's view of ModelReleases, and the manual actions. */
@Command(
        name = "kubectl fledge",
        mixinStandardHelpOptions = true,
        version = "kubectl-fledge 0.1.0",
        description = "Show and steer Fledge ModelReleases (fledge.dev/v1alpha1) in the current kube context.",
        subcommands = {
            GetCommand.class,
            HistoryCommand.class,
            PromoteCommand.class,
            AbortCommand.class,
            RetryCommand.class,
            SkipStageCommand.class,
            PauseCommand.class,
            ResumeCommand.class
        })
public final class FledgeCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The command line with its dependencies wired, output and error handling set. */
    public static CommandLine commandLine(CliEnv env) {
        CommandLine cli = new CommandLine(FledgeCommand.class, new CommandFactory(env));
        cli.setOut(env.out());
        cli.setErr(env.err());
        cli.setExecutionExceptionHandler(new ErrorHandler());
        cli.setColorScheme(CommandLine.Help.defaultColorScheme(
                env.color() ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF));
        return cli;
    }

    /** Runs one command line; returns the exit code (0 ok, 1 failed, 2 bad usage). */
    public static int run(CliEnv env, String... args) {
        int code = commandLine(env).execute(args);
        env.out().flush();
        env.err().flush();
        return code;
    }
}
