package dev.fledge.server.model;

import dev.fledge.server.config.FledgeConfig;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * chain. Errors name the bucket and key and S3's own reason, never a credential.
 */
public final class S3ArchiveFetcher implements ModelLocator.ArchiveFetcher {
    private final FledgeConfig.S3Config config;

    public S3ArchiveFetcher(FledgeConfig.S3Config config) {
        this.config = config;
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
            throw new IOException("S3 request failed: " + e.getMessage(), e);
        }
    }

    private S3Client client() throws IOException {
        var builder = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder())
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
