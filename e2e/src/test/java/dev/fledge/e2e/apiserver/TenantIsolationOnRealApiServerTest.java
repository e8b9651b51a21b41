package dev.fledge.e2e.apiserver;

import static dev.fledge.e2e.apiserver.JsonEdit.set;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.HostPathMounts;
import dev.fledge.api.status.Phase;
import dev.fledge.e2e.rollout.ProductionReconciler;
import dev.fledge.e2e.rollout.TestReleases;
import dev.fledge.operator.workload.ModelServerLimits;
import dev.fledge.operator.workload.MountPaths;
import dev.fledge.testsupport.InProcessOperator;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 on a real API server: the CRD schema keeps a ModelRelease from becoming a pod
 * (finding 1) or a hot loop (the interval floor), and the operator never takes over an object it
 * does not control (finding 7).
 */
@Tag("apiserver")
class TenantIsolationOnRealApiServerTest {

    static final String NAMESPACE = "tenant-isolation";
    static KubernetesClient client;
    static ModelReleaseFixtures fixtures;

    @BeforeAll
    static void installCrd() {
        client = RealApiServer.shared().client();
        var cluster = new ClusterResources(client);
        cluster.installCrds(List.of(RepoFiles.modelReleaseCrd()));
        cluster.ensureNamespace(NAMESPACE);
        fixtures = new ModelReleaseFixtures(client);
    }

    static GenericKubernetesResource release(String name, Consumer<ObjectNode> edit) {
        GenericKubernetesResource r = fixtures.validRelease(edit);
        r.getMetadata().setName(name);
        r.getMetadata().setNamespace(NAMESPACE);
        return r;
    }

    static KubernetesClientException strictCreateFails(GenericKubernetesResource r) {
        return catchThrowableOfType(
                KubernetesClientException.class,
                () -> client.resource(r)
                        .dryRun()
                        .fieldValidation(FieldValidateable.Validation.STRICT)
                        .create());
    }

    @Test
    void podFieldsOutsideTheAllowListAreRejectedWithTheirPathUnderStrictValidation() {
        var e = strictCreateFails(release(
                "escalate",
                set(
                        "/spec/server/template",
                        Map.of(
                                "spec",
                                Map.of(
                                        "serviceAccountName",
                                        "admin",
                                        "hostNetwork",
                                        true,
                                        "containers",
                                        List.of(Map.of(
                                                "name",
                                                "model-server",
                                                "securityContext",
                                                Map.of("privileged", true))))))));
        assertThat(e).isNotNull();
        assertThat(e.getMessage())
                .contains("unknown field \"spec.server.template.spec.serviceAccountName\"")
                .contains("unknown field \"spec.server.template.spec.hostNetwork\"")
                .contains("unknown field \"spec.server.template.spec.containers[0].securityContext\"");
    }

    @Test
    void withoutStrictValidationTheDisallowedFieldsAreDroppedNotStored() {
        GenericKubernetesResource stored = client.resource(release(
                        "pruned",
                        set(
                                "/spec/server/template",
                                Map.of("spec", Map.of("hostPID", true, "nodeSelector", Map.of("gpu", "a100"))))))
                .dryRun()
                .create();
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) ((Map<String, Object>)
                        ((Map<String, Object>) stored.getAdditionalProperties().get("spec")).get("server"))
                .get("template");
        assertThat(spec.toString()).contains("gpu=a100").doesNotContain("hostPID");
    }

    /** Security review 7, MED 4: the API server stored volumeName, which binds another team's Available volume. */
    @Test
    void anEphemeralClaimThatReachesAnExistingVolumeIsRejectedOrPruned() {
        Map<String, Object> template = Map.of(
                "spec",
                Map.of(
                        "volumes",
                        List.of(Map.of(
                                "name",
                                "scratch",
                                "ephemeral",
                                Map.of(
                                        "volumeClaimTemplate",
                                        Map.of(
                                                "spec",
                                                Map.of(
                                                        "accessModes",
                                                        List.of("ReadWriteOnce"),
                                                        "resources",
                                                        Map.of("requests", Map.of("storage", "1Gi")),
                                                        "volumeName",
                                                        "pv-team-b-data",
                                                        "dataSourceRef",
                                                        Map.of("kind", "PersistentVolumeClaim", "name", "data"))))))));
        var e = strictCreateFails(release("claim-b", set("/spec/server/template", template)));
        assertThat(e).isNotNull();
        String claim = "spec.server.template.spec.volumes[0].ephemeral.volumeClaimTemplate.spec.";
        assertThat(e.getMessage())
                .contains("unknown field \"" + claim + "volumeName\"")
                .contains("unknown field \"" + claim + "dataSourceRef\"");
        GenericKubernetesResource stored = client.resource(
                        release("claim-b-lax", set("/spec/server/template", template)))
                .dryRun()
                .create();
        String spec = stored.getAdditionalProperties().get("spec").toString();
        assertThat(spec)
                .contains("storage=1Gi")
                .doesNotContain("pv-team-b-data")
                .doesNotContain("dataSourceRef");
    }

    /** Security review 8, LOW 6: an empty storage class binds any matching pre-provisioned volume. */
    @Test
    void anEphemeralClaimWithAnEmptyStorageClassIsRejected() {
        Map<String, Object> template = Map.of(
                "spec",
                Map.of(
                        "volumes",
                        List.of(Map.of(
                                "name",
                                "scratch",
                                "ephemeral",
                                Map.of(
                                        "volumeClaimTemplate",
                                        Map.of(
                                                "spec",
                                                Map.of(
                                                        "accessModes",
                                                        List.of("ReadWriteOnce"),
                                                        "resources",
                                                        Map.of("requests", Map.of("storage", "1Gi")),
                                                        "storageClassName",
                                                        "")))))));
        var e = strictCreateFails(release("claim-empty-class", set("/spec/server/template", template)));
        assertThat(e).isNotNull();
        assertThat(e.getMessage())
                .contains("spec.server.template.spec.volumes[0].ephemeral.volumeClaimTemplate.spec.storageClassName");
    }

    @Test
    void aVolumeOfAnUnsafeTypeIsRejectedByTheCelRule() {
        var e = strictCreateFails(release(
                "nfs",
                set(
                        "/spec/server/template",
                        Map.of(
                                "spec",
                                Map.of(
                                        "volumes",
                                        List.of(Map.of("name", "n", "nfs", Map.of("server", "x", "path", "/"))))))));
        assertThat(e.getMessage()).contains("spec.server.template.spec.volumes[0]");
        var pruned = catchThrowableOfType(
                KubernetesClientException.class,
                () -> client.resource(release(
                                "nfs-lax",
                                set(
                                        "/spec/server/template",
                                        Map.of(
                                                "spec",
                                                Map.of(
                                                        "volumes",
                                                        List.of(Map.of(
                                                                "name",
                                                                "n",
                                                                "nfs",
                                                                Map.of("server", "x", "path", "/"))))))))
                        .dryRun()
                        .create());
        assertThat(pruned.getMessage())
                .contains("spec.server.template.spec.volumes[0]")
                .contains("a volume needs exactly one of");
    }

    static Consumer<ObjectNode> modelContainer(Map<String, Object> fields) {
        Map<String, Object> container = new java.util.LinkedHashMap<>(fields);
        container.put("name", "model-server");
        return set("/spec/server/template", Map.of("spec", Map.of("containers", List.of(container))));
    }

    /**
     * The model server's download caps are the operator's: a tenant's FLEDGE_* variable (or JVM options, whose -D
     * outranks every variable) is refused by the API server, with or without strict field validation, so kubectl
     * apply fails before the operator ever sees it.
     */
    @Test
    void aFledgeVariableInTheModelContainerIsRejectedByTheApiServer() {
        var raised = release(
                "raised-cap",
                modelContainer(Map.of(
                        "env",
                        List.of(
                                Map.of("name", "FLEDGE_SERVING_WORKERS", "value", "4"),
                                Map.of("name", "FLEDGE_MODEL_MAX_DOWNLOAD_SIZE", "value", "1T")))));
        var e = catchThrowableOfType(
                KubernetesClientException.class,
                () -> client.resource(raised).dryRun().create());
        assertThat(e).as("refused even without strict field validation").isNotNull();
        assertThat(e.getMessage())
                .contains("spec.server.template.spec.containers[0].env[1].name")
                .contains("configure the model server and are set by the operator")
                .doesNotContain("env[0]");
        var jvm = strictCreateFails(release(
                "jvm-options",
                modelContainer(Map.of(
                        "env",
                        List.of(Map.of(
                                "name", "JAVA_TOOL_OPTIONS", "value", "-Dfledge.model.max-download-size=1T"))))));
        assertThat(jvm.getMessage())
                .contains("spec.server.template.spec.containers[0].env[0].name")
                .contains("JVM option variables");
        var tuned = release(
                "tuned",
                modelContainer(Map.of(
                        "env",
                        List.of(
                                Map.of("name", "FLEDGE_SERVING_WORKERS", "value", "4"),
                                Map.of("name", "FLEDGE_FAULT_LATENCY_MS", "value", "400"),
                                Map.of("name", "HF_HOME", "value", "/cache")))));
        assertThat(client.resource(tuned)
                        .dryRun()
                        .fieldValidation(FieldValidateable.Validation.STRICT)
                        .create())
                .as("the pod's own capacity tuning, test aids and other variables stay allowed")
                .isNotNull();
    }

    /**
     * Issue 15 review: SmallRye reads fledge.model.max-download-size and fledge_model_max_download_size before
     * FLEDGE_MODEL_MAX_DOWNLOAD_SIZE, QUARKUS_CONFIG_LOCATIONS brings a config file that outranks the environment,
     * LD_PRELOAD runs a library from a ConfigMap, and a ConfigMap mounted over /deployments replaces the server: the
     * API server refuses each, with its path, without strict field validation.
     */
    @Test
    void otherSpellingsOfServerSettingsTheLinkerAndMountsOverTheImagesCodeAreRejectedByTheApiServer() {
        Map<String, String> envAttacks = Map.of(
                "fledge.model.max-download-size", "configure the model server",
                "fledge_model_max_download_size", "configure the model server",
                "Fledge-Model-Max-Extracted-Size", "configure the model server",
                "QUARKUS_CONFIG_LOCATIONS", "configure the model server",
                "smallrye.config.locations", "configure the model server",
                "LD_PRELOAD", "dynamic linker",
                "ld.library.path", "dynamic linker");
        envAttacks.forEach((name, why) -> {
            var e = catchThrowableOfType(
                    KubernetesClientException.class,
                    () -> client.resource(release(
                                    "env-" + Integer.toHexString(name.hashCode()),
                                    modelContainer(Map.of("env", List.of(Map.of("name", name, "value", "1T"))))))
                            .dryRun()
                            .create());
            assertThat(e).as(name).isNotNull();
            assertThat(e.getMessage())
                    .as(name)
                    .contains("containers[0].env[0].name")
                    .contains(why);
        });
        for (String path : List.of(
                "/deployments/quarkus-run.jar",
                "/deployments/config",
                "//usr/lib/jvm",
                "/etc",
                "/opt/java/openjdk",
                "/opt/fledge/libtorch",
                "/opt",
                "/",
                "/tmp/djl-cache",
                "/data/../deployments",
                "deployments",
                "/var/run/fledge/feedback-key",
                "/run/fledge")) {
            var e = catchThrowableOfType(
                    KubernetesClientException.class,
                    () -> client.resource(release(
                                    "mount-" + Integer.toHexString(path.hashCode()),
                                    set(
                                            "/spec/server/template",
                                            Map.of(
                                                    "spec",
                                                    Map.of(
                                                            "volumes",
                                                            List.of(Map.of(
                                                                    "name", "c", "configMap", Map.of("name", "c"))),
                                                            "containers",
                                                            List.of(Map.of(
                                                                    "name",
                                                                    "model-server",
                                                                    "volumeMounts",
                                                                    List.of(Map.of(
                                                                            "name",
                                                                            "c",
                                                                            "mountPath",
                                                                            path,
                                                                            "subPath",
                                                                            "x")))))))))
                            .dryRun()
                            .create());
            assertThat(e).as(path).isNotNull();
            assertThat(e.getMessage()).as(path).contains("containers[0].volumeMounts[0].mountPath");
        }
        var fine = release(
                "fine-mounts",
                set(
                        "/spec/server/template",
                        Map.of(
                                "spec",
                                Map.of(
                                        "volumes",
                                        List.of(Map.of("name", "c", "emptyDir", Map.of())),
                                        "containers",
                                        List.of(Map.of(
                                                "name",
                                                "model-server",
                                                "env",
                                                List.of(
                                                        Map.of("name", "fledge.serving.workers", "value", "4"),
                                                        Map.of("name", "HF_HOME", "value", "/models")),
                                                "volumeMounts",
                                                List.of(
                                                        Map.of("name", "c", "mountPath", "/tmp"),
                                                        Map.of("name", "c", "mountPath", "/models"),
                                                        Map.of("name", "c", "mountPath", "/data/config"),
                                                        Map.of("name", "c", "mountPath", "/optional"),
                                                        Map.of("name", "c", "mountPath", "/certs"))))))));
        assertThat(client.resource(fine)
                        .dryRun()
                        .fieldValidation(FieldValidateable.Validation.STRICT)
                        .create())
                .as("/tmp, /models, /data and the pod's own tuning in any spelling stay allowed")
                .isNotNull();
    }

    /**
     * A hostPath volume (under a prefix the operator allows) is mounted read-only only: in a writable one a pod leaves
     * a symlink that a later release's hostPath follows anywhere on the node. The CRD's rule ({@link HostPathMounts})
     * refuses a writable mount, absent or false, and takes a read-only one beside a writable emptyDir.
     */
    @Test
    void theApiServerRefusesAWritableHostPathMount() {
        for (Map<String, Object> mount : List.of(
                Map.<String, Object>of("name", "node", "mountPath", "/models"),
                Map.<String, Object>of("name", "node", "mountPath", "/models", "readOnly", false))) {
            var e = catchThrowableOfType(
                    KubernetesClientException.class,
                    () -> client.resource(release("host-" + mount.size(), hostPathTemplate(mount)))
                            .dryRun()
                            .create());
            assertThat(e).as(mount.toString()).isNotNull();
            assertThat(e.getCode()).isEqualTo(422);
            assertThat(e.getMessage())
                    .as(mount.toString())
                    .contains("spec.server.template.spec: Invalid value")
                    .contains(HostPathMounts.MESSAGE);
        }
        var readOnly = release(
                "host-read-only", hostPathTemplate(Map.of("name", "node", "mountPath", "/models", "readOnly", true)));
        assertThat(client.resource(readOnly)
                        .dryRun()
                        .fieldValidation(FieldValidateable.Validation.STRICT)
                        .create())
                .isNotNull();
    }

    private static Consumer<ObjectNode> hostPathTemplate(Map<String, Object> mount) {
        return set(
                "/spec/server/template",
                Map.of(
                        "spec",
                        Map.of(
                                "volumes",
                                List.of(
                                        Map.of(
                                                "name",
                                                "node",
                                                "hostPath",
                                                Map.of("path", "/var/lib/fledge/models", "type", "Directory")),
                                        Map.of("name", "scratch", "emptyDir", Map.of())),
                                "containers",
                                List.of(Map.of(
                                        "name",
                                        "model-server",
                                        "volumeMounts",
                                        List.of(Map.of("name", "scratch", "mountPath", "/scratch"), mount))))));
    }

    /**
     * The CRD's CEL rules on {@code env[].name} repeat the operator's list ({@code ModelServerLimits#refusal}, the
     * source of truth for the policy check and the Deployment builder): both refuse, and both allow, the same names.
     * Late review of issue 15: profile-prefixed spellings ({@code _PROD_QUARKUS_CONFIG_LOCATIONS}) passed both.
     */
    @Test
    void theApiServerAndTheOperatorRefuseTheSameEnvNames() {
        Map<String, Boolean> refused = new LinkedHashMap<>();
        for (String name : List.of(
                "FLEDGE_MODEL_MAX_DOWNLOAD_SIZE",
                "fledge.model.max-download-size",
                "FLEDGE_FEEDBACK_SIGNING_KEY_FILE",
                "fledge.feedback.signing-key-file",
                // the public port (review MED 3): a release that moved it would have the public Service reach a port
                // that honours the audience header
                "FLEDGE_PUBLIC_PORT",
                "fledge.public-port",
                "_PROD_FLEDGE_PUBLIC_PORT",
                "QUARKUS_CONFIG_LOCATIONS",
                "LD_PRELOAD",
                "JAVA_TOOL_OPTIONS",
                "_JAVA_OPTIONS",
                "_PROD_FLEDGE_MODEL_MAX_DOWNLOAD_SIZE",
                "_PROD_QUARKUS_CONFIG_LOCATIONS",
                "_DEV_TEST_QUARKUS_CONFIG_LOCATIONS",
                "_PROD_SMALLRYE_CONFIG_LOCATIONS",
                "%prod.fledge.model.max-download-size",
                "%prod,dev.quarkus.config.locations",
                "-prod-fledge-x",
                "DJL_CACHE_DIR",
                "ENGINE_CACHE_DIR",
                "PYTORCH_LIBRARY_PATH",
                "PYTORCH_VERSION",
                "pytorch.flavor",
                "LIBSTDCXX_LIBRARY_PATH",
                "ai.djl.pytorch.native_helper",
                "MXNET_LIBRARY_PATH",
                "TENSORFLOW_LIBRARY_PATH",
                "PATH",
                "HOME",
                "AWS_CONFIG_FILE",
                "aws.shared.credentials.file",
                "FLEDGE_MODEL_CA_FILES",
                "_PROD_FLEDGE_MODEL_CA_FILE")) {
            refused.put(name, true);
        }
        for (String name : List.of(
                "FLEDGE_SERVING_WORKERS",
                "fledge.serving.workers",
                "FLEDGE_FAULT_LATENCY_MS",
                "HF_HOME",
                "MY_FLEDGE_NOTE",
                "OLD_LD_PATH",
                "PROD_FLEDGE_NOTE",
                "AWS_REGION",
                "AWS_ACCESS_KEY_ID",
                "OMP_NUM_THREADS",
                "MY_PATH",
                "PATH_PREFIX_NOTE",
                "HOMEPAGE",
                "MY_DJL_NOTE",
                "FLEDGE_MODEL_CA_FILE",
                "fledge.model.ca-file")) {
            refused.put(name, false);
        }
        refused.forEach((name, expected) -> {
            var e = catchThrowableOfType(
                    KubernetesClientException.class,
                    () -> client.resource(release(
                                    "env-" + Integer.toHexString(name.hashCode()),
                                    modelContainer(Map.of("env", List.of(Map.of("name", name, "value", "1T"))))))
                            .dryRun()
                            .create());
            assertThat(e != null)
                    .as("the API server refuses " + name + ": " + e)
                    .isEqualTo(expected);
            assertThat(ModelServerLimits.refusal(name))
                    .as("the operator refuses " + name)
                    .matches(r -> r.isPresent() == expected);
        });
    }

    /**
     * The CRD's CEL rules on {@code volumeMounts[].mountPath} repeat the operator's {@link MountPaths#refusal} (the
     * source of truth for the policy check and the Deployment builder): both refuse, and both allow, the same paths.
     * Review of issue 15, LOW 3a: a tenant's own volume at the operator's key mount, /var/run/fledge/feedback-key,
     * passed both.
     */
    @Test
    void theApiServerAndTheOperatorRefuseTheSameMountPaths() {
        Map<String, Boolean> refused = new LinkedHashMap<>();
        for (String path : List.of(
                "/deployments",
                "//usr/lib/jvm",
                "/etc/",
                "/opt",
                "/",
                "/tmp/djl-cache/pytorch",
                "/var/run/fledge",
                "/var/run/fledge/feedback-key",
                "/var/run/fledge/feedback-key/key",
                "//var//run/fledge/",
                "/var/run",
                "/var",
                "/run",
                "/run/fledge/feedback-key",
                "/data/../etc")) {
            refused.put(path, true);
        }
        for (String path : List.of(
                "/tmp",
                "/models",
                "/data/config",
                "/certs",
                "/opt/models",
                "/var/cache/model",
                "/var/runner",
                "/var/run/other",
                "/var/run/fledged",
                "/run2")) {
            refused.put(path, false);
        }
        refused.forEach((path, expected) -> {
            var e = catchThrowableOfType(
                    KubernetesClientException.class,
                    () -> client.resource(release(
                                    "mount-" + Integer.toHexString(path.hashCode()),
                                    set(
                                            "/spec/server/template",
                                            Map.of(
                                                    "spec",
                                                    Map.of(
                                                            "volumes",
                                                            List.of(Map.of("name", "c", "emptyDir", Map.of())),
                                                            "containers",
                                                            List.of(Map.of(
                                                                    "name",
                                                                    "model-server",
                                                                    "volumeMounts",
                                                                    List.of(Map.of(
                                                                            "name", "c", "mountPath", path)))))))))
                            .dryRun()
                            .create());
            assertThat(e != null)
                    .as("the API server refuses " + path + ": " + e)
                    .isEqualTo(expected);
            if (expected) {
                assertThat(e.getMessage()).as(path).contains("containers[0].volumeMounts[0].mountPath");
            }
            assertThat(MountPaths.refusal(path, true))
                    .as("the operator refuses " + path)
                    .matches(r -> r.isPresent() == expected);
        });
    }

    /** envFrom could bring any name from a ConfigMap or Secret: it is not in the schema. */
    @Test
    void envFromInTheModelContainerIsRejectedUnderStrictValidationAndDroppedOtherwise() {
        var envFrom = modelContainer(Map.of("envFrom", List.of(Map.of("configMapRef", Map.of("name", "limits")))));
        var e = strictCreateFails(release("env-from", envFrom));
        assertThat(e.getMessage()).contains("unknown field \"spec.server.template.spec.containers[0].envFrom\"");
        GenericKubernetesResource stored =
                client.resource(release("env-from-lax", envFrom)).dryRun().create();
        assertThat(stored.getAdditionalProperties().get("spec").toString())
                .contains("model-server")
                .doesNotContain("envFrom")
                .doesNotContain("limits");
    }

    @Test
    void anAnalysisIntervalBelowFiveSecondsIsRejected() {
        var e = strictCreateFails(release("hot-loop", set("/spec/analysis/interval", "100ms")));
        assertThat(e.getMessage()).contains("spec.analysis.interval").contains("at least 5s");
    }

    @Test
    void theOperatorNeverTakesOverAServiceItDoesNotControl() {
        // the platform's own Service, in the tenant's namespace, named as the tenant's release
        Service payments = new ServiceBuilder()
                .withNewMetadata()
                .withName("payments")
                .withNamespace(NAMESPACE)
                .endMetadata()
                .withNewSpec()
                .addToSelector("app", "payments")
                .addNewPort()
                .withPort(80)
                .endPort()
                .endSpec()
                .build();
        client.resource(payments).create();
        try (var operator = InProcessOperator.watching(client, ProductionReconciler.withoutGates(client), NAMESPACE)) {
            client.resource(TestReleases.replicas(NAMESPACE, "payments", "1.0.0"))
                    .create();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                ModelRelease mr = client.resources(ModelRelease.class)
                        .inNamespace(NAMESPACE)
                        .withName("payments")
                        .get();
                assertThat(mr.getStatus()).isNotNull();
                assertThat(mr.getStatus().getPhase()).isEqualTo(Phase.INVALID);
                assertThat(mr.getStatus().getMessage())
                        .contains("ownership conflict: Service " + NAMESPACE + "/payments already exists");
            });
            Service after = client.services()
                    .inNamespace(NAMESPACE)
                    .withName("payments")
                    .get();
            assertThat(after.getSpec().getSelector()).containsExactly(Map.entry("app", "payments"));
            assertThat(after.getMetadata().getOwnerReferences()).isEmpty();
            assertThat(after.getMetadata().getManagedFields()).noneMatch(f -> "fledge-operator".equals(f.getManager()));
        }
    }
}
