package dev.fledge.server.model;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Downloads model archives with the JDK HTTP client, following redirects. Trust: the JVM's trust store (standard
 * PKIX validation and host-name verification, never trust-all), plus the CA certificates of
 * {@code fledge.model.ca-file} when it is set.
 */
public final class HttpsArchiveFetcher implements ModelLocator.ArchiveFetcher {
    private final HttpClient client;
    private final Duration responseTimeout;

    public HttpsArchiveFetcher(Optional<Path> caFile) {
        this(caFile, DownloadLimits.DEFAULT_IDLE_TIMEOUT);
    }

    /** {@code responseTimeout}: how long the server may take to start its answer (the body is the watchdog's). */
    public HttpsArchiveFetcher(Optional<Path> caFile, Duration responseTimeout) {
        this.responseTimeout = responseTimeout;
        HttpClient.Builder builder = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30));
        caFile.ifPresent(file -> builder.sslContext(trusting(file)));
        this.client = builder.build();
    }

    @Override
    public InputStream open(URI uri) throws IOException {
        try {
            HttpResponse<InputStream> response = client.send(
                    HttpRequest.newBuilder(uri).timeout(responseTimeout).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                response.body().close();
                throw new IOException("HTTP " + response.statusCode());
            }
            return response.body();
        } catch (SSLHandshakeException e) {
            throw new IOException(
                    "TLS handshake failed (" + e.getMessage() + "); the server's certificate must chain"
                            + " to a CA of the JVM trust store or of fledge.model.ca-file",
                    e);
        } catch (HttpTimeoutException e) {
            throw new IOException("no answer within " + responseTimeout + " (fledge.model.download-idle-timeout)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (RuntimeException e) {
            // the JDK client's IllegalArgumentException for a malformed redirect Location quotes that URL, which
            // ModelLocator cannot scrub (it knows only the original URI) and may hold a pre-signed token
            throw new IOException("the server's answer could not be followed ("
                    + e.getClass().getSimpleName() + "; a malformed redirect Location?)");
        }
    }

    /** The JVM's default trust anchors plus every certificate of the PEM file. */
    private static SSLContext trusting(Path caFile) {
        try {
            KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
            anchors.load(null, null);
            int i = 0;
            for (X509Certificate jvm : defaultTrustManager().getAcceptedIssuers()) {
                anchors.setCertificateEntry("jvm-" + i++, jvm);
            }
            List<Certificate> extra = readPem(caFile);
            for (Certificate cert : extra) {
                anchors.setCertificateEntry("ca-file-" + i++, cert);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(anchors);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new ModelLoadException("cannot use fledge.model.ca-file=" + caFile + ": " + e.getMessage(), e);
        }
    }

    private static List<Certificate> readPem(Path caFile) throws IOException, GeneralSecurityException {
        if (!Files.isRegularFile(caFile)) {
            throw new IOException("no such file");
        }
        Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(caFile)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (certs.isEmpty()) {
            throw new IOException("the file holds no PEM certificate");
        }
        return new ArrayList<>(certs);
    }

    private static X509TrustManager defaultTrustManager() throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((KeyStore) null);
        for (var tm : tmf.getTrustManagers()) {
            if (tm instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("the JVM has no X.509 trust manager");
    }
}
