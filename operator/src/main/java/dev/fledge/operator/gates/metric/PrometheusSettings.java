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
 */
public record PrometheusSettings(
        String url,
        Optional<String> bearerToken,
        Duration timeout,
        Optional<String> caFile,
        boolean insecureSkipVerify,
        Optional<String> enforcedLabel) {
    public PrometheusSettings(
            String url,
            Optional<String> bearerToken,
            Duration timeout,
            Optional<String> caFile,
            boolean insecureSkipVerify) {
        this(url, bearerToken, timeout, caFile, insecureSkipVerify, Optional.empty());
    }

    public static PrometheusSettings of(String url) {
        return new PrometheusSettings(url, Optional.empty(), Duration.ofSeconds(10), Optional.empty(), false);
    }

    public PrometheusSettings withTimeout(Duration t) {
        return new PrometheusSettings(url, bearerToken, t, caFile, insecureSkipVerify, enforcedLabel);
    }

    public PrometheusSettings withBearerToken(String token) {
        return new PrometheusSettings(
                url,
                Optional.ofNullable(token).filter(s -> !s.isBlank()),
                timeout,
                caFile,
                insecureSkipVerify,
                enforcedLabel);
    }

    public PrometheusSettings withEnforcedLabel(String label) {
        return new PrometheusSettings(
                url,
                bearerToken,
                timeout,
                caFile,
                insecureSkipVerify,
                Optional.ofNullable(label).filter(s -> !s.isBlank()));
    }
}
