package dev.fledge.server.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Whom model downloads trust ({@code https://} and {@code s3://} alike): the JVM's default trust anchors plus every
 * certificate of the PEM file {@code fledge.model.ca-file}, never instead of them, and never trust-all (standard PKIX
 * validation and host-name verification).
 */
final class ModelTrust {
    private ModelTrust() {}

    /** Trust managers over the JVM's anchors and the file's certificates; a file that cannot be used is an error. */
    static TrustManager[] trustManagers(Path caFile) {
        try {
            KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
            anchors.load(null, null);
            int i = 0;
            for (X509Certificate jvm : defaultTrustManager().getAcceptedIssuers()) {
                anchors.setCertificateEntry("jvm-" + i++, jvm);
            }
            for (Certificate cert : readPem(caFile)) {
                anchors.setCertificateEntry("ca-file-" + i++, cert);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(anchors);
            return tmf.getTrustManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new ModelLoadException("cannot use fledge.model.ca-file=" + caFile + ": " + e.getMessage(), e);
        }
    }

    /** A TLS context with {@link #trustManagers}. */
    static SSLContext sslContext(Path caFile) {
        TrustManager[] trust = trustManagers(caFile);
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust, null);
            return context;
        } catch (GeneralSecurityException e) {
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
