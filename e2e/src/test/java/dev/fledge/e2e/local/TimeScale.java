package dev.fledge.e2e.local;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The report's x axis: time since the demo started, between two pixel columns, with ticks labelled m:ss. */
final class TimeScale {
    record Tick(double x, String label) {}

    private static final int[] STEPS_SECONDS = {1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600};
    private static final int MAX_TICKS = 12;

    final Instant start;
    private final long spanMillis;
    final double left;
    final double right;

    TimeScale(Instant start, Instant end, double left, double right) {
        this.start = start;
        this.spanMillis = Math.max(1, Duration.between(start, end).toMillis());
        this.left = left;
        this.right = right;
    }

    double x(Instant t) {
        return left + (right - left) * Duration.between(start, t).toMillis() / spanMillis;
    }

    /** Ticks at a round step (1 s ... 1 h) chosen so that at most {@value #MAX_TICKS} fit, from 0:00 on. */
    List<Tick> ticks() {
        long step = STEPS_SECONDS[STEPS_SECONDS.length - 1];
        for (int s : STEPS_SECONDS) {
            if (spanMillis / (s * 1000L) + 1 <= MAX_TICKS) {
                step = s;
                break;
            }
        }
        List<Tick> ticks = new ArrayList<>();
        for (long s = 0; s * 1000 <= spanMillis; s += step) {
            ticks.add(new Tick(x(start.plusSeconds(s)), clock(s)));
        }
        return ticks;
    }

    /** m:ss since the start, as the tick labels show it. */
    String since(Instant t) {
        return clock(Duration.between(start, t).toSeconds());
    }

    private static String clock(long seconds) {
        return String.format("%d:%02d", seconds / 60, seconds % 60);
    }
}
