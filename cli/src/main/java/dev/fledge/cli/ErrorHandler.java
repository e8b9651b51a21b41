package dev.fledge.cli;

import picocli.CommandLine;

/** One line on stderr and exit code 1; the stack trace only with --verbose. */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    static final int FAILED = 1;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
        boolean verbose = verbose(parsed);
        String message = ex instanceof CliError
                ? ex.getMessage()
                : "unexpected " + ex.getClass().getSimpleName() + ": " + ex.getMessage()
                        + (verbose ? "" : " (--verbose prints the stack trace)");
        cmd.getErr().println("error: " + Printable.clean(message));
        if (verbose) {
            ex.printStackTrace(cmd.getErr());
        }
        cmd.getErr().flush();
        return FAILED;
    }

    private static boolean verbose(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }
}
