package dev.fledge.operator.mock;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/** The system clock, or a stopped one, plus an offset the test moves on. */
public final class MovableClock extends Clock {
    final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);
    /** Where the offset counts from: the system's time, or a fixed instant. */
    private final Supplier<Instant> base;

    public MovableClock() {
        this(Instant::now);
    }

    private MovableClock(Supplier<Instant> base) {
        this.base = base;
    }

    /** A clock that stays at {@code start} until the test moves it on. */
    public static MovableClock stoppedAt(Instant start) {
        return new MovableClock(() -> start);
    }

    public void advance(Duration d) {
        offset.updateAndGet(o -> o.plus(d));
    }

    @Override
    public Instant instant() {
        return base.get().plus(offset.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
