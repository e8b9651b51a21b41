package dev.fledge.e2e.apiserver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Files of this repository, as the tests see them. Nothing outside the repository is read. */
public final class RepoFiles {

    private RepoFiles() {}

    /** The repository root (Maven passes it; falls back to the parent of e2e/). */
    public static Path repo() {
        return Path.of(System.getProperty("fledge.repo.dir", ".."))
                .toAbsolutePath()
                .normalize();
    }

    /** The committed ModelRelease CRD, generated from crds/. */
    public static Path modelReleaseCrd() {
        return repo().resolve("helm/fledge/crds/modelreleases.fledge.dev-v1.yml");
    }

    /** The upstream Gateway API v1.4.0 standard CRDs, vendored in vendor/ (see vendor/README.md). */
    public static List<Path> gatewayApiCrds() {
        return yamlFilesIn(repo().resolve("vendor/gateway-api-v1.4.0"));
    }

    /** The Gateway API Inference Extension's InferencePool CRD, v1 (vendor/README.md). */
    public static List<Path> inferencePoolCrds() {
        return yamlFilesIn(repo().resolve("vendor/gateway-api-inference-extension-v1.0.0"));
    }

    /** Traefik v3.6.12's CRDs, TraefikService among them (vendor/README.md). */
    public static List<Path> traefikCrds() {
        return yamlFilesIn(repo().resolve("vendor/traefik-v3.6.12"));
    }

    /** Every example manifest under examples/. */
    public static List<Path> examples() {
        return yamlFilesIn(repo().resolve("examples"));
    }

    static List<Path> yamlFilesIn(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().matches(".*\\.ya?ml"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}
