package dev.fledge.server.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/**
 * Why the server could not start, written where Kubernetes reads a container's termination message
 * ({@code terminationMessagePath}, {@code /dev/termination-log} by default), so that the pod's status says it
 * ({@code lastState.terminated.message}) next to the log. Nothing is written where the file cannot be.
 */
public final class TerminationMessage {
    private static final Logger LOG = Logger.getLogger(TerminationMessage.class);
    private static final int K8S_LIMIT = 4096;

    private TerminationMessage() {}

    public static void write(Path file, String reason) {
        if (file.getParent() == null || !Files.isDirectory(file.getParent())) {
            return;
        }
        String text = reason.length() > K8S_LIMIT ? reason.substring(0, K8S_LIMIT) : reason;
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException | SecurityException e) {
            LOG.debugf("no termination message written to %s: %s", file, e.getMessage());
        }
    }
}
