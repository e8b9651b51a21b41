package dev.fledge.e2e.rollout;

import io.quarkus.bootstrap.logging.QuarkusDelayedHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jboss.logmanager.formatters.PatternFormatter;
import org.jboss.logmanager.handlers.ConsoleHandler;

/**
 * The operator on the test classpath brings Quarkus, whose log configurator puts a
 * QuarkusDelayedHandler on the root logger: it queues every record until a Quarkus application
 * starts, which never happens when plain JOSDK runs the reconciler, so the operator's and JOSDK's
 * errors would vanish. This hands the queue to a stderr console at WARN, as Quarkus does at boot.
 */
final class TestLogging {

    private static boolean done;

    private TestLogging() {}

    static synchronized void warningsToStderr() {
        if (done) {
            return;
        }
        done = true;
        for (Handler h : Logger.getLogger("").getHandlers()) {
            if (h instanceof QuarkusDelayedHandler delayed) {
                ConsoleHandler console = new ConsoleHandler(
                        ConsoleHandler.Target.SYSTEM_ERR,
                        new PatternFormatter("%d{HH:mm:ss,SSS} %-5p [%c{3.}] (%t) %s%e%n"));
                console.setLevel(Level.WARNING);
                delayed.setHandlers(new Handler[] {console});
            }
        }
    }
}
