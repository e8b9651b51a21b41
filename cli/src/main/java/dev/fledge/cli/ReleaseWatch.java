package dev.fledge.cli;

import dev.fledge.api.ModelRelease;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code --watch}: redraws whenever the release (or the namespace's releases) or its Events change, until the
 * thread is interrupted (Ctrl-C ends the JVM). On a terminal the screen is cleared and the countdown ticks each
 * second; otherwise each changed view is appended, so a pipe gets one block per change.
 */
final class ReleaseWatch {
    private static final String CLEAR = "\u001b[H\u001b[2J";
    private static final Object CHANGED = new Object();
    private final CliEnv env;
    private final Session session;
    private final String name;
    private final BlockingQueue<Object> signals = new LinkedBlockingQueue<>();

    ReleaseWatch(CliEnv env, Session session, String name) {
        this.env = env;
        this.session = session;
        this.name = name;
    }

    /** Returns when the thread is interrupted. */
    void run(GetCommand.Snapshot snapshot) {
        List<Watch> watches = new ArrayList<>();
        try {
            watches.add(session.api.call("watch", Api.MODELRELEASES, () -> {
                var releases = session.client.resources(ModelRelease.class).inNamespace(session.namespace());
                return name == null
                        ? releases.watch(new Signal<>())
                        : releases.withName(name).watch(new Signal<>());
            }));
            if (name != null) {
                watches.add(session.api.call(
                        "watch",
                        Api.EVENTS,
                        () -> session.client
                                .v1()
                                .events()
                                .inNamespace(session.namespace())
                                .withField("involvedObject.name", name)
                                .watch(new Signal<>())));
            }
            loop(snapshot);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            watches.forEach(Watch::close);
        }
    }

    private void loop(GetCommand.Snapshot snapshot) throws InterruptedException {
        String shown = null;
        while (!Thread.currentThread().isInterrupted()) {
            String view = snapshot.render();
            if (!view.equals(shown)) {
                env.out().print(env.terminal() ? CLEAR + view : (shown == null ? "" : "\n") + view);
                env.out().flush();
                shown = view;
            }
            List<Object> got = new ArrayList<>();
            Object first = env.terminal() ? signals.poll(1, TimeUnit.SECONDS) : signals.take();
            if (first != null) {
                got.add(first);
            }
            signals.drainTo(got);
            for (Object signal : got) {
                if (signal instanceof WatcherException e) {
                    throw new CliError("the watch ended: " + e.getMessage(), e);
                }
            }
        }
    }

    /** Turns watch notifications into redraw signals. */
    private final class Signal<T> implements Watcher<T> {
        @Override
        public void eventReceived(Action action, T resource) {
            signals.offer(CHANGED);
        }

        @Override
        public void onClose(WatcherException cause) {
            signals.offer(cause);
        }
    }
}
