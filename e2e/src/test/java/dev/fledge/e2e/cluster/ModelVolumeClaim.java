package dev.fledge.e2e.cluster;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A PersistentVolumeClaim holding a model archive, for a {@code pvc://claim/path} model URI (issue 17 part 6): a
 * statically provisioned PersistentVolume on a directory of the node (the node is this machine), bound to a claim in
 * the release's namespace by name, {@code ReadOnlyMany} as the docs ask. The cluster's own PV controller binds them.
 */
record ModelVolumeClaim(String claim) {

    /** Copies {@code archive} to {@code path} on a new volume below {@code nodeDir}, and claims it in {@code ns}. */
    static ModelVolumeClaim create(KubernetesClient client, String ns, Path nodeDir, Path archive, String path)
            throws Exception {
        return create(client, ns, nodeDir, Map.of(path, archive));
    }

    /** The PersistentVolume (cluster-scoped) behind namespace {@code ns}'s claim. */
    static String volumeName(String ns) {
        return "fledge-e2e-" + ns + "-models";
    }

    /**
     * Copies each source (a file, or a model directory with everything below it) to its path on a new volume below
     * {@code nodeDir}, and claims it in {@code ns}.
     */
    static ModelVolumeClaim create(KubernetesClient client, String ns, Path nodeDir, Map<String, Path> sources)
            throws Exception {
        String claim = "assistant-models";
        String volume = volumeName(ns);
        Path root = nodeDir.resolve(volume);
        for (var e : sources.entrySet()) {
            Path target = root.resolve(e.getKey());
            try (Stream<Path> files = Files.walk(e.getValue())) {
                for (Path source : files.toList()) {
                    Path to = target.resolve(e.getValue().relativize(source).toString());
                    if (Files.isDirectory(source)) {
                        Files.createDirectories(to);
                    } else {
                        Files.createDirectories(to.getParent());
                        Files.copy(source, to, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
        // the model pods run as a non-root user of the image: every directory readable and searchable, every file
        // readable
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.toList()) {
                Files.setPosixFilePermissions(
                        p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        for (Path p = root; p.startsWith(nodeDir) && !p.equals(nodeDir); p = p.getParent()) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        client.persistentVolumes()
                .resource(new PersistentVolumeBuilder()
                        .withNewMetadata()
                        .withName(volume)
                        .endMetadata()
                        .withNewSpec()
                        .addToCapacity("storage", new Quantity("1Gi"))
                        .withAccessModes("ReadOnlyMany")
                        .withStorageClassName("")
                        .withNewHostPath()
                        .withPath(root.toString())
                        .withType("Directory")
                        .endHostPath()
                        .withNewClaimRef()
                        .withNamespace(ns)
                        .withName(claim)
                        .endClaimRef()
                        .endSpec()
                        .build())
                .create();
        client.persistentVolumeClaims()
                .inNamespace(ns)
                .resource(new PersistentVolumeClaimBuilder()
                        .withNewMetadata()
                        .withName(claim)
                        .endMetadata()
                        .withNewSpec()
                        .withAccessModes("ReadOnlyMany")
                        .withStorageClassName("")
                        .withVolumeName(volume)
                        .withNewResources()
                        .addToRequests("storage", new Quantity("1Gi"))
                        .endResources()
                        .endSpec()
                        .build())
                .create();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(1))
                .alias("claim " + claim + " bound to " + volume)
                .until(() -> "Bound"
                        .equals(client.persistentVolumeClaims()
                                .inNamespace(ns)
                                .withName(claim)
                                .get()
                                .getStatus()
                                .getPhase()));
        return new ModelVolumeClaim(claim);
    }

    /** The model URI of {@code path} on this claim. */
    String uri(String path) {
        return "pvc://" + claim + "/" + path;
    }
}
