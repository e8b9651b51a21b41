package dev.fledge.cli;

import java.util.logging.Level;
import java.util.logging.Logger;

/** The client libraries log through java.util.logging here; a CLI reports failures itself, so only SEVERE passes. */
final class QuietLogging {
    /** Kept referenced so the level holds (JUL keeps loggers weakly). */
    private static Logger root;

    private QuietLogging() {}

    static void apply() {
        root = Logger.getLogger("");
        root.setLevel(Level.SEVERE);
        for (var h : root.getHandlers()) {
            h.setLevel(Level.SEVERE);
        }
    }
}
