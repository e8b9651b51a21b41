package dev.fledge.e2e.apiserver;

import dev.fledge.e2e.local.ManagedProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The operator as packaged ({@code operator/target/quarkus-app}), started against the real API server on one
 * namespace, leader election off, and ready (its readiness endpoint answers) when returned.
 */
final class PackagedOperator {
    private PackagedOperator() {}

    /** Its log is {@code name}.log in {@code work}; {@code env} is added to what it always gets. */
    static ManagedProcess start(
            Path work, Path kubeconfig, String namespace, int port, String name, Map<String, String> env) {
        Path jar = RepoFiles.repo().resolve("operator/target/quarkus-app/quarkus-run.jar");
        Map<String, String> all = new HashMap<>(Map.of(
                "KUBECONFIG",
                kubeconfig.toString(),
                "QUARKUS_HTTP_PORT",
                Integer.toString(port),
                "QUARKUS_OPERATOR_SDK_CONTROLLERS_MODELRELEASE_NAMESPACES",
                namespace,
                "FLEDGE_LEADER_ELECTION_ENABLED",
                "false"));
        all.putAll(env);
        ManagedProcess p = ManagedProcess.start(
                name, List.of("java", "-XX:TieredStopAtLevel=1", "-jar", jar.toString()), all, work);
        try {
            p.awaitHttpOk("http://127.0.0.1:" + port + "/q/health/ready", Duration.ofSeconds(90));
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
        return p;
    }
}
