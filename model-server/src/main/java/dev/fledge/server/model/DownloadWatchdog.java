package dev.fledge.server.model;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A download body that may not stall: when no byte arrives for {@code idle}, or the whole download takes longer than
 * {@code deadline}, the body is closed and the reading thread interrupted, and the read fails with an
 * {@link IOException} that names the setting. The JDK's HTTP client has a connect timeout and a timeout until the
 * response headers, but none on the body; a server that stops sending would otherwise hold the start forever.
 */
final class DownloadWatchdog extends FilterInputStream {
    private final ScheduledExecutorService timer;
    private final Thread reader;
    private final long idleNanos;
    private final long deadlineAt;
    private final Duration idle;
    private final Duration deadline;
    private volatile long lastProgress;
    private volatile String expired;

    DownloadWatchdog(InputStream body, Duration idle, Duration deadline) {
        super(body);
        this.idle = idle;
        this.deadline = deadline;
        this.idleNanos = idle.toNanos();
        this.lastProgress = System.nanoTime();
        this.deadlineAt = lastProgress + deadline.toNanos();
        this.reader = Thread.currentThread();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fledge-download-watchdog");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(10, Math.min(idle.toMillis(), deadline.toMillis()) / 4);
        timer.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS);
    }

    private void check() {
        long now = System.nanoTime();
        if (now - deadlineAt > 0) {
            expire("the download took longer than " + deadline + " (fledge.model.download-timeout)");
        } else if (now - lastProgress > idleNanos) {
            expire("the download stalled: no data for " + idle + " (fledge.model.download-idle-timeout)");
        }
    }

    private void expire(String why) {
        if (expired != null) {
            return;
        }
        expired = why;
        timer.shutdown();
        try {
            in.close();
        } catch (IOException | RuntimeException ignored) {
            // the interrupt below ends the read
        }
        reader.interrupt();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        failIfExpired(null);
        int n;
        try {
            n = super.read(b, off, len);
        } catch (IOException | RuntimeException e) {
            failIfExpired(e);
            throw e;
        }
        failIfExpired(null);
        if (n > 0) {
            lastProgress = System.nanoTime();
        }
        return n;
    }

    private void failIfExpired(Exception cause) throws IOException {
        if (expired != null) {
            Thread.interrupted(); // the interrupt was ours; do not leak it into the caller's cleanup
            throw new IOException(expired, cause);
        }
    }

    @Override
    public void close() throws IOException {
        timer.shutdownNow();
        if (expired != null) {
            Thread.interrupted();
        }
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS); // a check still running delivers its interrupt first
        } catch (InterruptedException ours) {
            // cleared below
        }
        try {
            super.close();
        } finally {
            if (expired != null) {
                Thread.interrupted(); // the watchdog's interrupt, delivered after the read ended
            }
        }
    }
}
