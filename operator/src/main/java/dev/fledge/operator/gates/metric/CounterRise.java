package dev.fledge.operator.gates.metric;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * How the gates count events from Prometheus counters over a part of a rollout: the counters' rise over a range that
 * runs from {@link #LEAD_SCRAPES} scrape intervals before a recorded start (a stage's, the rollout's) to now.
 *
 * <p>A rise over a range counts only the steps between samples inside it, so a range that began at the recorded
 * start would hold no sample from before it: the events between the start and the first scrape would be lost. One
 * interval back holds the last sample from before the start when every scrape is on time; the second leaves room for
 * a failed or late scrape and for the seconds between the pass and Prometheus evaluating the query. The price is that
 * events of the same series from up to two intervals before the start count too.
 */
public final class CounterRise {
    /** Scrape intervals the range reaches before the recorded start. */
    public static final int LEAD_SCRAPES = 2;

    /** How far before the range's start a sample makes a series old: Prometheus' default lookback. */
    public static final String BEFORE = "5m";

    private CounterRise() {}

    /**
     * The rise of the counters {@code selector} (an instant selector) over the range {@code WINDOW} (a placeholder the
     * caller replaces with a PromQL duration), summed: each series' last sample less its first, without the
     * extrapolation of {@code increase()}. That extrapolates a rise to the range's edges, and early in a range that
     * holds few scrapes, one event read as two or three.
     *
     * <p>A series with no sample in the {@link #BEFORE} before the range's start is new in the range: a pod made
     * during it (a scale-up, a replaced pod), or a series a server makes at its first event (Fledge's model server
     * makes its series at 0 when it starts; other exporters may not). It counts from 0, its last sample: the events it
     * had before its first scrape were otherwise never counted, as its samples all held them. The check is a range
     * ({@code last_over_time}), not an instant lookup: one failed scrape writes staleness markers, and an instant
     * lookup just after them read a pod of long standing as new, counting all its events since it started.
     *
     * <p>Only a series whose counter was reset in the range (a restarted container) is counted with {@code
     * increase()}, which sees across the reset and may count a little more. A series exported below 0 (a broken or
     * forged exposition) counts 0, not less: it cannot take flags away from the other pods' series in the sum.
     */
    public static String of(String selector) {
        return ("sum(clamp_min((max_over_time(SERIES) - min_over_time(SERIES) and resets(SERIES) == 0 and AT_START)"
                        + " or (max_over_time(SERIES) and resets(SERIES) == 0)"
                        + " or (increase(SERIES) and resets(SERIES) > 0), 0))")
                .replace("SERIES", selector + "[WINDOW]")
                .replace("AT_START", "last_over_time(" + selector + "[" + BEFORE + "] offset WINDOW)");
    }

    /**
     * The range, as the PromQL duration that replaces {@code WINDOW}: from {@link #LEAD_SCRAPES} times {@code
     * scrapeInterval} before {@code start} (RFC 3339) to {@code now}, in whole seconds rounded up (at least one):
     * rounded down, the range could begin after the last sample from before the start. Empty when {@code start} is
     * missing or not a time.
     */
    public static Optional<String> range(String start, Instant now, Duration scrapeInterval) {
        if (start == null) {
            return Optional.empty();
        }
        try {
            Duration d = Duration.between(Instant.parse(start), now).plus(scrapeInterval.multipliedBy(LEAD_SCRAPES));
            long seconds = d.toSeconds() + (d.toNanosPart() > 0 ? 1 : 0);
            return Optional.of(Math.max(1, seconds) + "s");
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
