package dev.fledge.cli;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.core.rollout.ManualAction;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * promote, abort, retry, skip-stage: sets the {@code fledge.dev/action} annotation to {@code ACTION:NONCE} with a JSON
 * patch whose {@code test} operations make it a compare-and-set: it applies only if the annotation is still as read,
 * absent or the action {@code status.action} records as read already. An action the operator has not read yet is
 * never replaced silently: the command refuses and names it; {@code --force} replaces a pending promote, retry or
 * skip-stage, never an abort. The nonce makes each request new for the operator, even the same action again.
 */
abstract class ActionCommand implements Callable<Integer> {
    /** Re-reads after a precondition failed because the annotation changed meanwhile. */
    private static final int ATTEMPTS = 5;

    private static final DateTimeFormatter NONCE_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

    private final CliEnv env;
    private final ManualAction action;

    @Mixin
    ClusterOptions cluster;

    @Parameters(paramLabel = "NAME", description = "The ModelRelease.")
    String name;

    @Option(
            names = "--force",
            description = "Replace a pending promote, retry or skip-stage the operator has not read yet."
                    + " A pending abort is never replaced.")
    boolean force;

    ActionCommand(CliEnv env, ManualAction action) {
        this.env = env;
        this.action = action;
    }

    @Override
    public Integer call() {
        try (Session s = Session.open(env, cluster)) {
            for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
                ModelRelease mr = s.store.getAsStored(name);
                PendingAction read = PendingAction.on(mr);
                Optional<String> unread = read.unread();
                if (unread.isPresent() && refuse(unread.get())) {
                    return 0;
                }
                String value = action.value() + ":" + nonce(mr);
                Optional<CliError> refused = s.store.jsonPatch(name, read.replaceWith(value));
                if (refused.isEmpty()) {
                    env.out()
                            .println("modelrelease.fledge.dev/" + name + " " + action.value() + " requested ("
                                    + Labels.ACTION + "=" + value
                                    + unread.map(p -> ", replacing the pending " + Printable.clean(p)
                                                    + ", which the operator never read")
                                            .orElse("")
                                    + ")");
                    return 0;
                }
                if (PendingAction.on(s.store.getAsStored(name)).equals(read)) {
                    throw refused.get(); // not the precondition: the annotation is as read
                }
            }
            throw new CliError("the " + Labels.ACTION + " annotation of modelrelease \"" + Printable.clean(name)
                    + "\" kept changing while writing it; nothing was written, try again");
        }
    }

    /**
     * Whether the command ends here (exit 0) because {@code pending}, unread by the operator, is this same action;
     * throws when it must not be replaced; false when {@code --force} replaces it.
     */
    private boolean refuse(String pending) {
        String kind = PendingAction.actionOf(pending);
        String shown = Labels.ACTION + "=" + Printable.clean(pending);
        if (kind.equals(action.value()) && action != ManualAction.SKIP_STAGE) {
            env.out()
                    .println("modelrelease.fledge.dev/" + name + " " + action.value() + " already requested (" + shown
                            + " is waiting for the operator to read it)");
            return true;
        }
        if (kind.equals(ManualAction.ABORT.value())) {
            throw new CliError("an abort is pending on modelrelease \"" + Printable.clean(name) + "\" (" + shown
                    + "), not yet read by the operator; a pending abort is never replaced, not even with --force."
                    + " Run " + action.value() + " again once `kubectl fledge get " + Printable.clean(name)
                    + "` no longer shows it waiting");
        }
        if (!force) {
            throw new CliError("an action is pending on modelrelease \"" + Printable.clean(name) + "\" (" + shown
                    + "), not yet read by the operator; " + action.value() + " would replace it. Run "
                    + action.value() + " again once `kubectl fledge get " + Printable.clean(name)
                    + "` no longer shows it waiting, or add --force to replace it");
        }
        return false;
    }

    /**
     * When it is asked (UTC) and the resourceVersion it is asked on: unique per request, since each write changes the
     * resourceVersion, and within the parser's nonce syntax (letters, digits and a dash after the colon).
     */
    private String nonce(ModelRelease mr) {
        String rv = mr.getMetadata().getResourceVersion() == null
                ? ""
                : mr.getMetadata().getResourceVersion().replaceAll("[^A-Za-z0-9]", "");
        if (rv.length() > 20) {
            rv = rv.substring(rv.length() - 20);
        }
        return NONCE_TIME.format(env.clock().instant()) + "-" + (rv.isEmpty() ? "0" : rv);
    }
}
