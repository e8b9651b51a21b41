package dev.fledge.server.model;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;

/**
 * Downloads model archives with the JDK HTTP client, following redirects. Trust: {@link ModelTrust}, the JVM's trust
 * store plus the CA certificates of {@code fledge.model.ca-file} when it is set.
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
        caFile.ifPresent(file -> builder.sslContext(ModelTrust.sslContext(file)));
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
}
