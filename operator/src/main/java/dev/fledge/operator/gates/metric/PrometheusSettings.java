package dev.fledge.operator.gates.metric;

import java.time.Duration;
import java.util.Optional;

/**
 * How the operator reaches Prometheus.
 *
 * @param url                base URL, e.g. {@code http://prometheus.monitoring:9090}
 * @param bearerToken        sent as {@code Authorization: Bearer}; in the chart it comes from a Secret
 * @param timeout            per query
 * @param caFile             PEM bundle that signs Prometheus's certificate, if not in the JVM trust store
 * @param insecureSkipVerify accept any certificate (tests only)
 * @param enforcedLabel      with prom-label-proxy in front of Prometheus: the URL parameter (its {@code -label} or
 *                           {@code -query-param}, normally {@code namespace}) that carries the release's namespace,
 *                           so that every query is confined to it. Empty: queries go out unconfined.
 * @param scrapeInterval     how often Prometheus scrapes the model pods; the {@code {{interval}}} range of a gate's
 *                           query is at least {@link #MIN_SCRAPES_PER_RANGE} times this, so that {@code rate()} and
 *                           {@code increase()} see enough samples. Zero: no floor (the short constructors).
 */
public record PrometheusSettings(
        String url,
        Optional<String> bearerToken,
        Duration timeout,
        Optional<String> caFile,
        boolean insecureSkipVerify,
        Optional<String> enforcedLabel,
        Duration scrapeInterval) {
    /** Scrapes a query range must span at least: fewer leave rate() and increase() with too few points. */
    public static final int MIN_SCRAPES_PER_RANGE = 4;

    public PrometheusSettings {
        if (scrapeInterval == null || scrapeInterval.isNegative()) {
            throw new IllegalArgumentException("the scrape interval must be zero or positive: " + scrapeInterval);
        }
    }

    public PrometheusSettings(
            String url,
            Optional<String> bearerToken,
            Duration timeout,
            Optional<String> caFile,
            boolean insecureSkipVerify,
            Optional<String> enforcedLabel) {
        this(url, bearerToken, timeout, caFile, insecureSkipVerify, enforcedLabel, Duration.ZERO);
    }

    public PrometheusSettings(
            String url,
            Optional<String> bearerToken,
            Duration timeout,
            Optional<String> caFile,
            boolean insecureSkipVerify) {
        this(url, bearerToken, timeout, caFile, insecureSkipVerify, Optional.empty());
    }

    /** The shortest range a gate's query may use: {@link #MIN_SCRAPES_PER_RANGE} scrape intervals. */
    public Duration minQueryRange() {
        return scrapeInterval.multipliedBy(MIN_SCRAPES_PER_RANGE);
    }

    public PrometheusSettings withScrapeInterval(Duration interval) {
        return new PrometheusSettings(url, bearerToken, timeout, caFile, insecureSkipVerify, enforcedLabel, interval);
    }

    public static PrometheusSettings of(String url) {
        return new PrometheusSettings(url, Optional.empty(), Duration.ofSeconds(10), Optional.empty(), false);
    }

    public PrometheusSettings withTimeout(Duration t) {
        return new PrometheusSettings(url, bearerToken, t, caFile, insecureSkipVerify, enforcedLabel, scrapeInterval);
    }

    public PrometheusSettings withBearerToken(String token) {
        return new PrometheusSettings(
                url,
                Optional.ofNullable(token).filter(s -> !s.isBlank()),
                timeout,
                caFile,
                insecureSkipVerify,
                enforcedLabel,
                scrapeInterval);
    }

    public PrometheusSettings withEnforcedLabel(String label) {
        return new PrometheusSettings(
                url,
                bearerToken,
                timeout,
                caFile,
                insecureSkipVerify,
                Optional.ofNullable(label).filter(s -> !s.isBlank()),
                scrapeInterval);
    }
}
