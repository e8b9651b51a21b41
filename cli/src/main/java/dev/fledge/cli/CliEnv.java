package dev.fledge.cli;

import java.io.PrintWriter;
import java.time.Clock;

/**
 * What every command needs from the outside world, passed in so that tests can use a mock API server, a fixed
 * clock and in-memory output.
 *
 * @param clients  opens a Kubernetes client for a kube context
 * @param clock    the time that ages and countdowns are measured from
 * @param out      standard output
 * @param err      standard error
 * @param terminal whether standard output is a terminal (then --watch redraws the screen and ticks the countdown)
 * @param color    whether colours may be used (a terminal, and NO_COLOR unset); --no-color turns them off
 */
public record CliEnv(Clients clients, Clock clock, PrintWriter out, PrintWriter err, boolean terminal, boolean color) {}
