package dev.fledge.operator.gates.metric;

import dev.fledge.operator.http.BoundedHttp;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Prometheus's HTTP API ({@code POST /api/v1/query}), with an optional bearer token and TLS settings. With an
 * {@linkplain PrometheusSettings#enforcedLabel enforced label} each query of a release carries its namespace as that
 * URL parameter, for prom-label-proxy to inject into every selector.
 */
public final class HttpPrometheus implements MetricsBackend {
    /** One number is a few hundred bytes; a larger answer is not one the gates can use. */
    static final int MAX_RESPONSE_BYTES = 1 << 20;

    private final PrometheusSettings settings;
    private final HttpClient http;
    private final URI endpoint;

    public HttpPrometheus(PrometheusSettings settings) {
        this.settings = settings;
        this.endpoint = URI.create(settings.url().replaceAll("/+$", "") + "/api/v1/query");
        HttpClient.Builder b =
                HttpClient.newBuilder().connectTimeout(settings.timeout()).version(HttpClient.Version.HTTP_1_1);
        if (endpoint.getScheme().equals("https")) {
            b.sslContext(sslContext(settings));
        }
        this.http = b.build();
    }

    @Override
    public Duration minQueryRange() {
        return settings.minQueryRange();
    }

    @Override
    public Duration scrapeInterval() {
        return settings.scrapeInterval();
    }

    @Override
    public QueryResult query(String promql) {
        return send(endpoint, promql, null);
    }

    @Override
    public QueryResult query(String namespace, String promql) {
        return query(namespace, promql, null);
    }

    /** Prometheus' {@code time()}; null when it does not answer with a time. */
    @Override
    public Instant now(String namespace) {
        return query(namespace, "time()", null) instanceof QueryResult.Value v && v.value() > 0
                ? Instant.ofEpochMilli(Math.round(v.value() * 1000))
                : null;
    }

    /** With {@code at} null, at Prometheus' own now. */
    @Override
    public QueryResult query(String namespace, String promql, Instant at) {
        if (settings.enforcedLabel().isEmpty()) {
            return send(endpoint, promql, at);
        }
        if (namespace == null || namespace.isBlank()) {
            return new QueryResult.Unusable("a confined query needs the release's namespace");
        }
        return send(
                URI.create(endpoint + "?"
                        + URLEncoder.encode(settings.enforcedLabel().get(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(namespace, StandardCharsets.UTF_8)),
                promql,
                at);
    }

    private QueryResult send(URI target, String promql, Instant at) {
        String form = "query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8) + "&timeout="
                + Math.max(1, settings.timeout().toMillis()) + "ms"
                + (at == null
                        ? ""
                        : "&time=" + BigDecimal.valueOf(at.toEpochMilli(), 3).toPlainString());
        HttpRequest.Builder req = HttpRequest.newBuilder(target)
                .timeout(settings.timeout())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        settings.bearerToken().ifPresent(t -> req.header("Authorization", "Bearer " + t));
        try {
            HttpResponse<String> resp = BoundedHttp.send(http, req.build(), MAX_RESPONSE_BYTES, settings.timeout());
            return PrometheusResponse.parse(resp.statusCode(), resp.body());
        } catch (HttpTimeoutException e) {
            return new QueryResult.Unusable(
                    "Prometheus at " + settings.url() + " did not answer within " + settings.timeout());
        } catch (ConnectException e) {
            return new QueryResult.Unusable("Prometheus at " + settings.url() + " is unreachable: " + e);
        } catch (IOException e) {
            SSLException tls = tlsCause(e);
            if (tls != null) {
                return new QueryResult.Unusable("TLS to Prometheus at " + settings.url() + " failed (is its certificate"
                        + " signed by a CA in caFile or the JVM trust store, and issued for this host?): "
                        + tls.getMessage());
            }
            return new QueryResult.Unusable("Prometheus at " + settings.url() + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new QueryResult.Unusable("interrupted while querying Prometheus");
        } catch (RuntimeException e) {
            return new QueryResult.Unusable("Prometheus query failed: " + e);
        }
    }

    private static SSLException tlsCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException s) {
                return s;
            }
        }
        return null;
    }

    private static SSLContext sslContext(PrometheusSettings s) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            if (s.insecureSkipVerify()) {
                ctx.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
            } else if (s.caFile().isPresent()) {
                KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
                ks.load(null, null);
                try (InputStream in = Files.newInputStream(Path.of(s.caFile().get()))) {
                    int i = 0;
                    for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                        ks.setCertificateEntry("ca-" + i++, c);
                    }
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ks);
                ctx.init(null, tmf.getTrustManagers(), new SecureRandom());
            } else {
                return SSLContext.getDefault();
            }
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up TLS to Prometheus: " + e.getMessage(), e);
        }
    }

    /** For {@code insecureSkipVerify} only. */
    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
