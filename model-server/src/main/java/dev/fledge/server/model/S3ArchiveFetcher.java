package dev.fledge.server.model;

import dev.fledge.server.config.FledgeConfig;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Opens {@code s3://bucket/key} (a zip archive of a model directory) with the AWS SDK for Java v2: the endpoint,
 * region and addressing of {@code fledge.model.s3.*}, credentials from two mounted files or the SDK's default
 * chain; TLS trust as for {@code https://} ({@link ModelTrust}: the JVM's plus {@code fledge.model.ca-file}). Errors name the bucket and key and S3's own reason, never a credential.
 */
public final class S3ArchiveFetcher implements ModelLocator.ArchiveFetcher {
    private final FledgeConfig.S3Config config;
    private final Optional<TrustManager[]> trust;

    /** Trusting the JVM's trust store only. */
    public S3ArchiveFetcher(FledgeConfig.S3Config config) {
        this(config, Optional.empty());
    }

    /**
     * Trusting the JVM's trust store plus the CA certificates of {@code caFile} ({@code fledge.model.ca-file}), as
     * {@code https://} downloads do: an S3-compatible store with a private CA.
     */
    public S3ArchiveFetcher(FledgeConfig.S3Config config, Optional<Path> caFile) {
        this.config = config;
        this.trust = caFile.map(ModelTrust::trustManagers);
    }

    @Override
    public InputStream open(URI uri) throws IOException {
        String bucket = uri.getHost();
        String key = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        if (bucket == null || bucket.isEmpty() || key.isEmpty()) {
            throw new IOException("an s3 model URI is s3://bucket/key (a zip archive)");
        }
        S3Client client = client();
        try {
            InputStream body = client.getObject(
                    GetObjectRequest.builder().bucket(bucket).key(key).build());
            return new FilterInputStream(body) {
                @Override
                public void close() throws IOException {
                    try {
                        super.close();
                    } finally {
                        client.close();
                    }
                }
            };
        } catch (S3Exception e) {
            client.close();
            String code =
                    e.awsErrorDetails() == null ? "" : " " + e.awsErrorDetails().errorCode();
            throw new IOException(
                    "S3 answered " + e.statusCode() + code + " for key '" + key + "' in bucket '" + bucket + "'", e);
        } catch (SdkException e) {
            client.close();
            SSLHandshakeException handshake = handshakeCause(e);
            if (handshake != null) {
                throw new IOException(
                        "TLS handshake with the S3 endpoint failed (" + handshake.getMessage()
                                + "); its certificate must chain to a CA of the JVM trust store or of"
                                + " fledge.model.ca-file",
                        e);
            }
            throw new IOException("S3 request failed: " + e.getMessage(), e);
        }
    }

    private static SSLHandshakeException handshakeCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLHandshakeException handshake) {
                return handshake;
            }
        }
        return null;
    }

    private S3Client client() throws IOException {
        var http = UrlConnectionHttpClient.builder();
        trust.ifPresent(managers -> http.tlsTrustManagersProvider(() -> managers));
        var builder = S3Client.builder()
                .httpClientBuilder(http)
                .region(Region.of(config.region()))
                .credentialsProvider(credentials())
                .serviceConfiguration(S3Configuration.builder()
                        .pathStyleAccessEnabled(
                                config.pathStyle().orElse(config.endpoint().isPresent()))
                        .build());
        config.endpoint().map(URI::create).ifPresent(builder::endpointOverride);
        return builder.build();
    }

    private AwsCredentialsProvider credentials() throws IOException {
        if (config.accessKeyIdFile().isEmpty() || config.secretAccessKeyFile().isEmpty()) {
            return DefaultCredentialsProvider.builder().build();
        }
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(
                read(config.accessKeyIdFile().get(), "fledge.model.s3.access-key-id-file"),
                read(config.secretAccessKeyFile().get(), "fledge.model.s3.secret-access-key-file")));
    }

    private static String read(String file, String key) throws IOException {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException e) {
            throw new IOException("cannot read " + key + " (" + file + ")", e);
        }
    }
}
