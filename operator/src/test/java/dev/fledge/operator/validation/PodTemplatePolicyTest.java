package dev.fledge.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AnalysisSpec;
import dev.fledge.api.spec.HostPathMounts;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.spec.UpstreamSpec;
import dev.fledge.api.status.ServingStatus;
import dev.fledge.operator.workload.ServerDefaults;
import dev.fledge.operator.workload.ServingConfig;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Finding 1: a ModelRelease must not become a way to create arbitrary pods. */
class PodTemplatePolicyTest {
    final SpecValidator validator = new SpecValidator(
            new PodTemplatePolicy(List.of("registry.example.com/models/"), List.of("/var/lib/fledge/models")),
            SpecValidator.MIN_INTERVAL);

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a powerful service account          | {spec: {serviceAccountName: admin}}                                              | spec.server.template.spec.serviceAccountName: not allowed
            the host network                    | {spec: {hostNetwork: true}}                                                      | spec.server.template.spec.hostNetwork: not allowed
            the host PID namespace              | {spec: {hostPID: true}}                                                          | spec.server.template.spec.hostPID: not allowed
            a hostPath volume of the node root  | {spec: {volumes: [{name: root, hostPath: {path: /}}]}}                           | spec.server.template.spec.volumes[0].hostPath: node directories are not allowed
            a hostPath that climbs out          | {spec: {volumes: [{name: up, hostPath: {path: /var/lib/fledge/models/../../kubelet}}]}} | spec.server.template.spec.volumes[0].hostPath: node directories are not allowed
            an nfs volume                       | {spec: {volumes: [{name: n, nfs: {server: x, path: /}}]}}                        | spec.server.template.spec.volumes[0].nfs: not allowed
            a privileged model container        | {spec: {containers: [{name: model-server, securityContext: {privileged: true}}]}} | spec.server.template.spec.containers[0].securityContext: not allowed
            a pod securityContext               | {spec: {securityContext: {runAsUser: 0}}}                                        | spec.server.template.spec.securityContext: not allowed
            an extra container                  | {spec: {containers: [{name: miner, image: evil}]}}                               | spec.server.template.spec.containers[0].name: only the container named model-server
            an init container                   | {spec: {initContainers: [{name: x, image: evil}]}}                               | spec.server.template.spec.initContainers: not allowed
            a command override                  | {spec: {containers: [{name: model-server, command: [sh]}]}}                      | spec.server.template.spec.containers[0].command: only with spec.server.upstream
            a probe that makes the kubelet call | {spec: {containers: [{name: model-server, readinessProbe: {httpGet: {host: 169.254.169.254, port: 80}}}]}} | spec.server.template.spec.containers[0].readinessProbe: not allowed
            the token automount back on         | {spec: {automountServiceAccountToken: true}}                                     | spec.server.template.spec.automountServiceAccountToken: not allowed
            another release's response-id key   | {spec: {volumes: [{name: k, secret: {secretName: other-feedback-key}}]}}         | spec.server.template.spec.volumes[0].secret.secretName: other-feedback-key: a release's response-id key
            the release's key as env            | {spec: {containers: [{name: model-server, env: [{name: K, valueFrom: {secretKeyRef: {name: assistant-feedback-key, key: key}}}]}]}} | spec.server.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name: assistant-feedback-key: a release's response-id key
            an operator label                   | {metadata: {labels: {fledge.dev/track: canary}}}                                 | spec.server.template.metadata.labels[fledge.dev/track]: set by the operator
            an AppArmor annotation              | {metadata: {annotations: {container.apparmor.security.beta.kubernetes.io/model-server: unconfined}}} | AppArmor and seccomp are set by the operator
            a volume with two sources           | {spec: {volumes: [{name: v, emptyDir: {}, configMap: {name: c}}]}}               | spec.server.template.spec.volumes[0]: needs exactly one of
            a raised download cap               | {spec: {containers: [{name: model-server, env: [{name: A, value: "1"}, {name: FLEDGE_MODEL_MAX_DOWNLOAD_SIZE, value: 1T}]}]}} | spec.server.template.spec.containers[0].env[1].name: FLEDGE_MODEL_MAX_DOWNLOAD_SIZE: FLEDGE_*, QUARKUS_* and SMALLRYE_* variables
            a download cap from a Secret        | {spec: {containers: [{name: model-server, env: [{name: FLEDGE_MODEL_MAX_EXTRACTED_SIZE, valueFrom: {secretKeyRef: {name: s, key: k}}}]}]}} | spec.server.template.spec.containers[0].env[0].name: FLEDGE_MODEL_MAX_EXTRACTED_SIZE: FLEDGE_*, QUARKUS_* and SMALLRYE_* variables
            a future model-server setting       | {spec: {containers: [{name: model-server, env: [{name: FLEDGE_MODEL_DOWNLOAD_TIMEOUT, value: 100h}]}]}} | spec.server.template.spec.containers[0].env[0].name: FLEDGE_MODEL_DOWNLOAD_TIMEOUT: FLEDGE_*, QUARKUS_* and SMALLRYE_* variables
            system properties through the JVM   | {spec: {containers: [{name: model-server, env: [{name: JAVA_TOOL_OPTIONS, value: -Dfledge.model.max-download-size=1T}]}]}} | spec.server.template.spec.containers[0].env[0].name: JAVA_TOOL_OPTIONS: JVM option variables could override
            the cap in property spelling        | {spec: {containers: [{name: model-server, env: [{name: fledge.model.max-download-size, value: 1T}]}]}} | spec.server.template.spec.containers[0].env[0].name: fledge.model.max-download-size: FLEDGE_*, QUARKUS_* and SMALLRYE_* variables
            the cap in lower case               | {spec: {containers: [{name: model-server, env: [{name: fledge_model_max_download_size, value: 1T}]}]}} | spec.server.template.spec.containers[0].env[0].name: fledge_model_max_download_size: FLEDGE_*
            a config file of a higher ordinal   | {spec: {containers: [{name: model-server, env: [{name: QUARKUS_CONFIG_LOCATIONS, value: /data/c.properties}]}]}} | spec.server.template.spec.containers[0].env[0].name: QUARKUS_CONFIG_LOCATIONS: FLEDGE_*
            SmallRye's own settings             | {spec: {containers: [{name: model-server, env: [{name: smallrye.config.locations, value: /data/c.properties}]}]}} | spec.server.template.spec.containers[0].env[0].name: smallrye.config.locations: FLEDGE_*
            a preloaded library                 | {spec: {containers: [{name: model-server, env: [{name: LD_PRELOAD, value: /data/evil.so}]}]}} | spec.server.template.spec.containers[0].env[0].name: LD_PRELOAD: LD_* variables steer the dynamic linker
            a library path in another spelling  | {spec: {containers: [{name: model-server, env: [{name: ld.library.path, value: /data}]}]}} | spec.server.template.spec.containers[0].env[0].name: ld.library.path: LD_*
            a jar over the server by subPath    | {spec: {volumes: [{name: c, configMap: {name: c}}], containers: [{name: model-server, volumeMounts: [{name: c, mountPath: /deployments/quarkus-run.jar, subPath: evil.jar}]}]}} | spec.server.template.spec.containers[0].volumeMounts[0].mountPath: /deployments/quarkus-run.jar: the image's code
            a config file beside the server     | {spec: {volumes: [{name: c, configMap: {name: c}}], containers: [{name: model-server, volumeMounts: [{name: c, mountPath: /deployments/config}]}]}} | spec.server.template.spec.containers[0].volumeMounts[0].mountPath: /deployments/config: the image's code
            a mount over the JRE                | {spec: {volumes: [{name: c, configMap: {name: c}}], containers: [{name: model-server, volumeMounts: [{name: c, mountPath: /usr/lib/jvm}]}]}} | volumeMounts[0].mountPath: /usr/lib/jvm: the image's code
            a mount over the root               | {spec: {volumes: [{name: c, emptyDir: {}}], containers: [{name: model-server, volumeMounts: [{name: c, mountPath: //}]}]}} | volumeMounts[0].mountPath: //: the image's code
            libraries over the image's libtorch | {spec: {volumes: [{name: c, configMap: {name: c}}], containers: [{name: model-server, volumeMounts: [{name: c, mountPath: /opt/fledge/libtorch/x}]}]}} | volumeMounts[0].mountPath: /opt/fledge/libtorch/x: the image's code
            a mount above /opt/java             | {spec: {volumes: [{name: c, configMap: {name: c}}], containers: [{name: model-server, volumeMounts: [{name: c, mountPath: /opt}]}]}} | volumeMounts[0].mountPath: /opt: the image's code
            a ConfigMap over /tmp and its cache | {spec: {volumes: [{name: c, configMap: {name: c}}], containers: [{name: model-server, volumeMounts: [{name: c, mountPath: /tmp/}]}]}} | volumeMounts[0].mountPath: /tmp/: the image's code
            native libraries in the DJL cache   | {spec: {volumes: [{name: c, emptyDir: {}}], containers: [{name: model-server, volumeMounts: [{name: c, mountPath: /tmp/djl-cache/pytorch}]}]}} | volumeMounts[0].mountPath: /tmp/djl-cache/pytorch: the image's code
            a key of the tenant's own choosing  | {spec: {volumes: [{name: k, secret: {secretName: mine}}], containers: [{name: model-server, volumeMounts: [{name: k, mountPath: /var/run/fledge/feedback-key}]}]}} | volumeMounts[0].mountPath: /var/run/fledge/feedback-key: the operator mounts the release's response-id key
            a volume over the operator's mounts | {spec: {volumes: [{name: c, emptyDir: {}}], containers: [{name: model-server, volumeMounts: [{name: c, mountPath: /var/run/fledge}]}]}} | volumeMounts[0].mountPath: /var/run/fledge: the operator mounts
            a volume above the operator's mounts | {spec: {volumes: [{name: c, emptyDir: {}}], containers: [{name: model-server, volumeMounts: [{name: c, mountPath: /var/run/}]}]}} | volumeMounts[0].mountPath: /var/run/: the operator mounts
            the key file by subPath via /run    | {spec: {volumes: [{name: c, configMap: {name: c}}], containers: [{name: model-server, volumeMounts: [{name: c, mountPath: //run/fledge/feedback-key/key, subPath: k}]}]}} | volumeMounts[0].mountPath: //run/fledge/feedback-key/key: the operator mounts
            a path that climbs back             | {spec: {volumes: [{name: c, configMap: {name: c}}], containers: [{name: model-server, volumeMounts: [{name: c, mountPath: /data/../etc}]}]}} | volumeMounts[0].mountPath: /data/../etc: may not hold . or .. segments
            a relative mount path               | {spec: {volumes: [{name: c, configMap: {name: c}}], containers: [{name: model-server, volumeMounts: [{name: c, mountPath: etc}]}]}} | volumeMounts[0].mountPath: etc: must be an absolute path
            arguments of the Fledge server      | {spec: {containers: [{name: model-server, args: [--debug]}]}}                     | spec.server.template.spec.containers[0].args: only with spec.server.upstream
            variables from a ConfigMap          | {spec: {containers: [{name: model-server, envFrom: [{configMapRef: {name: limits}}]}]}} | spec.server.template.spec.containers[0].envFrom: not allowed
            """)
    void aTemplateFieldOutsideTheAllowListIsRejectedWithItsPath(String attack, String template, String error) {
        assertThat(validator.validate(release(template, null)))
                .anySatisfy(e -> assertThat(e).contains(error));
    }

    /**
     * Late review of issue 15: SmallRye reads {@code _<PROFILE>_<NAME>} (and {@code %profile.name}) as NAME in that
     * profile, so a profile prefix hid a server setting from the prefix check. Any name that starts with another
     * character than a letter or digit is refused.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            _PROD_FLEDGE_MODEL_MAX_DOWNLOAD_SIZE
            _PROD_QUARKUS_CONFIG_LOCATIONS
            _DEV_TEST_QUARKUS_CONFIG_LOCATIONS
            _PROD_SMALLRYE_CONFIG_LOCATIONS
            %prod.fledge.model.max-download-size
            %prod,dev.quarkus.config.locations
            _PROD_LD_PRELOAD
            -prod-fledge-model-max-download-size
            """)
    void aServerSettingBehindAProfilePrefixIsRefused(String name) {
        String template = "{spec: {containers: [{name: model-server, env: [{name: '" + name + "', value: 1T}]}]}}";
        assertThat(validator.validate(release(template, null)))
                .singleElement()
                .asString()
                .startsWith("spec.server.template.spec.containers[0].env[0].name: " + name + ": ")
                .contains("SmallRye reads _PROD_FLEDGE_X");
    }

    /**
     * Late review of issue 15: DJL reads where its native engine lives from the environment, and the entrypoint's
     * {@code java} is found on PATH, so these names could load a tenant's library from a mount it chose.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(textBlock = """
            DJL_CACHE_DIR
            ENGINE_CACHE_DIR
            PYTORCH_LIBRARY_PATH
            PYTORCH_VERSION
            PYTORCH_FLAVOR
            pytorch.extra.library.path
            LIBSTDCXX_LIBRARY_PATH
            ai.djl.pytorch.native_helper
            MXNET_LIBRARY_PATH
            TENSORFLOW_LIBRARY_PATH
            PATH
            HOME
            AWS_CONFIG_FILE
            AWS_SHARED_CREDENTIALS_FILE
            """)
    void aVariableThatChoosesNativeCodeOrProgramsIsRefused(String name) {
        String template = "{spec: {containers: [{name: model-server, env: [{name: '" + name + "', value: /data}]}]}}";
        assertThat(validator.validate(release(template, null)))
                .singleElement()
                .asString()
                .startsWith("spec.server.template.spec.containers[0].env[0].name: " + name + ": ")
                .contains("choose which native library or program the model server loads");
    }

    @Test
    void theAllowListedFieldsPass() {
        String template = """
                {metadata: {labels: {team: search}, annotations: {owner: search}},
                 spec: {nodeSelector: {gpu: a100}, tolerations: [{key: gpu, operator: Exists, effect: NoSchedule}],
                  affinity: {nodeAffinity: {}},
                  volumes: [{name: cache, emptyDir: {}}, {name: cfg, configMap: {name: c}},
                            {name: models, hostPath: {path: /var/lib/fledge/models/v1, type: Directory}}],
                  containers: [{name: model-server, resources: {limits: {memory: 4Gi}},
                    env: [{name: A, value: "1"}, {name: B, valueFrom: {secretKeyRef: {name: s, key: k}}}],
                    volumeMounts: [{name: cache, mountPath: /cache}, {name: cache, mountPath: /tmp},
                      {name: cfg, mountPath: /data/config}, {name: cfg, mountPath: /tmp/cfg},
                      {name: models, mountPath: /models, readOnly: true}, {name: cfg, mountPath: /optional}]}]}}""";
        assertThat(validator.validate(release(template, "registry.example.com/models/server:1")))
                .isEmpty();
    }

    /**
     * Review of issue 16 (HIGH): a claim may hold a symlink where another of the container's mounts goes ({@code lt ->
     * /opt/fledge/libtorch}), which the container runtime follows inside the container's root: the inner volume would
     * land over the image's code whatever its path says. So a mount at or below a claim's, an ephemeral volume's or a
     * host directory's is refused for the Fledge server; below an emptyDir (only the server writes it) it stays allowed,
     * and so it does in another server's container, which runs the tenant's code anyway.
     */
    @Test
    void aMountBelowAVolumeATenantCanWriteIsRefusedForTheFledgeServer() {
        String nested = """
                {spec: {volumes: [{name: p, persistentVolumeClaim: {claimName: weights}}],
                  containers: [{name: model-server, volumeMounts: [{name: p, mountPath: /data},
                    {name: p, mountPath: //data/lt/, subPath: payload}]}]}}""";
        assertThat(validator.validate(release(nested, null)))
                .singleElement()
                .asString()
                .startsWith("spec.server.template.spec.containers[0].volumeMounts[1].mountPath: //data/lt/: ")
                .contains("at or below the mount /data of a volume that is not an emptyDir");

        String belowAnEmptyDir = """
                {spec: {volumes: [{name: t, emptyDir: {sizeLimit: 2Gi}}, {name: c, configMap: {name: cfg}}],
                  containers: [{name: model-server, volumeMounts: [{name: t, mountPath: /tmp},
                    {name: c, mountPath: /tmp/cfg}]}]}}""";
        assertThat(validator.validate(release(belowAnEmptyDir, null))).isEmpty();
        String sideBySide = """
                {spec: {volumes: [{name: p, persistentVolumeClaim: {claimName: weights}}],
                  containers: [{name: model-server, volumeMounts: [{name: p, mountPath: /data},
                    {name: p, mountPath: /data2, subPath: payload}]}]}}""";
        assertThat(validator.validate(release(sideBySide, null))).isEmpty();

        String samePath = """
                {spec: {volumes: [{name: p, persistentVolumeClaim: {claimName: weights}}, {name: c, emptyDir: {}}],
                  containers: [{name: model-server, volumeMounts: [{name: p, mountPath: /data},
                    {name: c, mountPath: /data/}]}]}}""";
        assertThat(validator.validate(release(samePath, null)))
                .as("an emptyDir at the claim's own path, spelled otherwise")
                .singleElement()
                .asString()
                .contains("volumeMounts[1].mountPath: /data/: it is at or below the mount /data");
        String cacheBelowAClaim = """
                {spec: {volumes: [{name: p, persistentVolumeClaim: {claimName: weights}}, {name: c, emptyDir: {}}],
                  containers: [{name: model-server, volumeMounts: [{name: p, mountPath: /models},
                    {name: c, mountPath: /models/cache}]}]}}""";
        assertThat(validator.validate(release(cacheBelowAClaim, null)))
                .as("an emptyDir below a claim: a symlink there could put it over the key's directory or the code")
                .singleElement()
                .asString()
                .contains("/models/cache: it is at or below the mount /models");
        ModelRelease upstream = release(nested, "registry.example.com/models/vllm:1");
        upstream.getSpec().getServer().setUpstream(new dev.fledge.api.spec.UpstreamSpec());
        List<String> errors = new java.util.ArrayList<>();
        new PodTemplatePolicy(List.of(), List.of())
                .withUpstream(true)
                .check(upstream.getSpec().getServer(), errors::add);
        assertThat(errors)
                .as("another server's container runs the tenant's code anyway")
                .noneMatch(e -> e.contains("at or below the mount"));
    }

    /**
     * A hostPath under an allowed prefix is mounted read-only only: in a writable one a pod leaves {@code x -> /}, and a
     * later release's {@code hostPath: /var/lib/fledge/models/x} passes the prefix check on its text while the kubelet
     * mounts the node's root. Refused in any container, upstream too (its container runs the tenant's code).
     */
    @Test
    void aHostPathMountedWritableIsRefusedInAnyContainer() {
        String volumes = "{spec: {volumes: [{name: models, hostPath: {path: /var/lib/fledge/models, type: Directory}},"
                + " {name: scratch, emptyDir: {}}], containers: [{name: model-server, volumeMounts: [";
        for (String mount :
                List.of("{name: models, mountPath: /models}", "{name: models, mountPath: /models, readOnly: false}")) {
            assertThat(validator.validate(
                            release(volumes + "{name: scratch, mountPath: /scratch}, " + mount + "]}]}}", null)))
                    .as(mount)
                    .singleElement()
                    .asString()
                    .isEqualTo("spec.server.template.spec.containers[0].volumeMounts[1].readOnly: "
                            + HostPathMounts.MESSAGE);
        }
        assertThat(validator.validate(release(
                        volumes + "{name: models, mountPath: /models, readOnly: true},"
                                + " {name: scratch, mountPath: /scratch}]}]}}",
                        null)))
                .as("read-only, beside a writable emptyDir")
                .isEmpty();

        ModelRelease upstream = release(
                volumes + "{name: models, mountPath: /models, subPath: v1}]}]}}", "registry.example.com/models/vllm:1");
        upstream.getSpec().getServer().setUpstream(new dev.fledge.api.spec.UpstreamSpec());
        List<String> errors = new java.util.ArrayList<>();
        new PodTemplatePolicy(List.of(), List.of("/var/lib/fledge/models"))
                .withUpstream(true)
                .check(upstream.getSpec().getServer(), errors::add);
        assertThat(errors)
                .singleElement()
                .asString()
                .isEqualTo(
                        "spec.server.template.spec.containers[0].volumeMounts[0].readOnly: " + HostPathMounts.MESSAGE);
    }

    @Test
    void thePodsOwnCapacityTuningAndTestAidsStayAllowed() {
        String template = """
                {spec: {containers: [{name: model-server, env: [{name: FLEDGE_SERVING_WORKERS, value: "4"},
                  {name: FLEDGE_FAULT_LATENCY_MS, value: "400"}, {name: MY_FLEDGE_NOTE, value: x},
                  {name: fledge.serving.workers, value: "4"}, {name: OLD_LD_PATH, value: x},
                  {name: HF_HOME, value: /models}, {name: OMP_NUM_THREADS, value: "2"}, {name: MY_PATH, value: x},
                  {name: AWS_REGION, value: eu-west-1}, {name: AWS_ACCESS_KEY_ID, value: x}]}]}}""";
        assertThat(validator.validate(release(template, null))).isEmpty();
    }

    /**
     * Late review of issue 15: with /etc refused, a private CA (a registry or object store with its own certificate)
     * comes in at /certs, named by FLEDGE_MODEL_CA_FILE, the one model-server setting a release may set.
     */
    @Test
    void aPrivateCaForModelDownloadsMountedAtCertsIsAllowed() {
        String template = """
                {spec: {volumes: [{name: ca, configMap: {name: registry-ca}}],
                  containers: [{name: model-server, env: [{name: FLEDGE_MODEL_CA_FILE, value: /certs/ca.crt}],
                    volumeMounts: [{name: ca, mountPath: /certs, readOnly: true}]}]}}""";
        assertThat(validator.validate(release(template, null))).isEmpty();
        assertThat(validator.validate(release(
                        "{spec: {containers: [{name: model-server, env: [{name: FLEDGE_MODEL_CA_FILES, value: x}]}]}}",
                        null)))
                .as("only that exact setting")
                .singleElement()
                .asString()
                .contains("a release may set only FLEDGE_SERVING_*, FLEDGE_FAULT_* and FLEDGE_MODEL_CA_FILE");
    }

    @Test
    void anImageOutsideTheOperatorsPrefixesIsRejected() {
        assertThat(validator.validate(release(null, "docker.io/evil/miner:latest")))
                .containsExactly("spec.server.image: docker.io/evil/miner:latest is not allowed by this operator"
                        + " (allowed prefixes: [registry.example.com/models/])");
        assertThat(new SpecValidator().validate(release(null, "docker.io/evil/miner:latest")))
                .isEmpty();
    }

    /** Security review 7, LOW 1: a prefix matches on a path-segment boundary, never as a bare string prefix. */
    @ParameterizedTest(name = "{1} under {0}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            registry.example.com        | registry.example.com.evil.io/x:1             | false
            registry.example.com        | registry.example.comevil/x                   | false
            registry.example.com        | registry.example.com/models/x:1              | true
            ghcr.io/acme/models         | ghcr.io/acme/models-attacker/x:1             | false
            ghcr.io/acme/models         | ghcr.io/acme/modelsx                         | false
            ghcr.io/acme/models         | ghcr.io/acme/models                          | true
            ghcr.io/acme/models         | ghcr.io/acme/models:1.0                      | true
            ghcr.io/acme/models         | ghcr.io/acme/models@sha256:0123456789abcdef  | true
            ghcr.io/acme/models         | ghcr.io/acme/models/llm:2                    | true
            registry.example.com/models/ | registry.example.com/models/llm:2           | true
            registry.example.com/models/ | registry.example.com/models-evil/llm:2      | false
            """)
    void anImagePrefixMatchesOnlyOnAPathSegmentBoundary(String prefix, String image, boolean allowed) {
        assertThat(new PodTemplatePolicy(List.of(prefix), List.of()).imageAllowed(image))
                .isEqualTo(allowed);
    }

    /**
     * Security review 7, MED 4: the API server stores any label and annotation, and controllers act on them. By
     * default only keys without a prefix pass; the identity, network and mesh domains never do.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a cloud role                        | {metadata: {annotations: {iam.amazonaws.com/role: admin}}}                         | metadata.annotations[iam.amazonaws.com/role]: keys of iam.amazonaws.com
            a second network                    | {metadata: {annotations: {k8s.v1.cni.cncf.io/networks: team-b/net}}}              | metadata.annotations[k8s.v1.cni.cncf.io/networks]: keys of k8s.v1.cni.cncf.io
            a fixed pod IP                      | {metadata: {annotations: {cni.projectcalico.org/ipAddrs: '["10.0.0.7"]'}}}        | metadata.annotations[cni.projectcalico.org/ipAddrs]: keys of cni.projectcalico.org
            a way around the mesh egress        | {metadata: {annotations: {traffic.sidecar.istio.io/excludeOutboundIPRanges: 0.0.0.0/0}}} | metadata.annotations[traffic.sidecar.istio.io/excludeOutboundIPRanges]: keys of traffic.sidecar.istio.io
            no sidecar                          | {metadata: {labels: {sidecar.istio.io/inject: "false"}}}                          | metadata.labels[sidecar.istio.io/inject]: keys of sidecar.istio.io
            a spoofed app label                 | {metadata: {labels: {app.kubernetes.io/name: prometheus}}}                        | metadata.labels[app.kubernetes.io/name]: a prefixed key needs the operator's allow-list (fledge.server.allowed-pod-label-prefixes: none
            an unlisted annotation              | {metadata: {annotations: {example.com/anything: x}}}                              | metadata.annotations[example.com/anything]: a prefixed key needs the operator's allow-list (fledge.server.allowed-pod-annotation-prefixes: none
            """)
    void aLabelOrAnnotationKeyOutsideTheAllowListIsRejected(String attack, String template, String error) {
        assertThat(validator.validate(release(template, null)))
                .singleElement()
                .asString()
                .startsWith("spec.server.template.")
                .contains(error);
    }

    @Test
    void prefixedKeysTheOperatorListsPassButTheIdentityNetworkAndMeshDomainsNever() {
        SpecValidator listing = new SpecValidator(
                new PodTemplatePolicy(
                        List.of(),
                        List.of(),
                        new PodMetadataKeys(
                                List.of("acme.com/", "app.kubernetes.io/part-of"),
                                List.of("cluster-autoscaler.kubernetes.io/safe-to-evict", "iam.amazonaws.com/"))),
                SpecValidator.MIN_INTERVAL);
        assertThat(listing.validate(release(
                        "{metadata: {labels: {team: a, acme.com/cost-center: x, app.kubernetes.io/part-of: search},"
                                + " annotations: {cluster-autoscaler.kubernetes.io/safe-to-evict: 'true'}}}",
                        null)))
                .isEmpty();
        assertThat(listing.validate(release(
                        "{metadata: {labels: {app.kubernetes.io/name: prometheus, acme.com.evil.io/x: y},"
                                + " annotations: {iam.amazonaws.com/role: admin}}}",
                        null)))
                .containsExactlyInAnyOrder(
                        "spec.server.template.metadata.labels[app.kubernetes.io/name]: a prefixed key needs the"
                                + " operator's allow-list (fledge.server.allowed-pod-label-prefixes:"
                                + " [acme.com/, app.kubernetes.io/part-of])",
                        "spec.server.template.metadata.labels[acme.com.evil.io/x]: a prefixed key needs the"
                                + " operator's allow-list (fledge.server.allowed-pod-label-prefixes:"
                                + " [acme.com/, app.kubernetes.io/part-of])",
                        "spec.server.template.metadata.annotations[iam.amazonaws.com/role]: keys of iam.amazonaws.com"
                                + " set a pod's cloud identity, network or mesh and are never allowed in a ModelRelease");
    }

    /** Security review 7, MED 4: an ephemeral volume's claim may not bind, select or copy an existing volume. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            another team's volume    | {volumeName: pv-team-b-data}                                     | volumes[0].ephemeral.volumeClaimTemplate.spec.volumeName: not allowed
            a volume by its labels   | {selector: {matchLabels: {team: b}}}                             | volumes[0].ephemeral.volumeClaimTemplate.spec.selector: not allowed
            a copy of a claim        | {dataSource: {kind: PersistentVolumeClaim, name: data}}          | volumes[0].ephemeral.volumeClaimTemplate.spec.dataSource: not allowed
            a copy of a snapshot     | {dataSourceRef: {kind: VolumeSnapshot, name: s, namespace: team-b}} | volumes[0].ephemeral.volumeClaimTemplate.spec.dataSourceRef: not allowed
            """)
    void anEphemeralClaimThatReachesAnExistingVolumeIsRejected(String attack, String claimSpec, String error) {
        String template =
                "{spec: {volumes: [{name: scratch, ephemeral: {volumeClaimTemplate: {spec: " + claimSpec + "}}}]}}";
        assertThat(validator.validate(release(template, null)))
                .singleElement()
                .asString()
                .startsWith("spec.server.template.spec.")
                .contains(error);
    }

    @Test
    void aNewEphemeralClaimPasses() {
        String template = "{spec: {volumes: [{name: scratch, ephemeral: {volumeClaimTemplate: {spec:"
                + " {accessModes: [ReadWriteOnce], storageClassName: fast, volumeMode: Filesystem,"
                + " resources: {requests: {storage: 10Gi}}}}}}]}}";
        assertThat(validator.validate(release(template, null))).isEmpty();
    }

    @Test
    void anAnalysisIntervalBelowTheFloorIsRejected() {
        ModelRelease mr = release(null, null);
        mr.getSpec().withAnalysis(new AnalysisSpec().withInterval("100ms"));
        assertThat(validator.validate(mr)).containsExactly("spec.analysis.interval: at least 5s");
    }

    /**
     * Issue 17: another server's image learns which model to serve from its command and args, so they are kept for the
     * model container of a release with spec.server.upstream (never for the Fledge server, above), and the sidecar's
     * image is held to the operator's image prefixes as the model image is.
     */
    /**
     * Security review (upstream), HIGH: upstream runs a tenant's image, command and args in the model pod, so the
     * operator refuses it unless the platform enables it, and only with an image of the release's own (the operator's
     * default image is the Fledge server's, with a shell), held to the image prefixes.
     */
    @Test
    void upstreamNeedsTheOperatorSettingAndAnImageOfItsOwn() {
        ModelRelease mr = release(
                "{spec: {containers: [{name: model-server, args: [serve]}]}}", "registry.example.com/models/vllm:1");
        mr.getSpec().getServer().setUpstream(new UpstreamSpec());
        assertThat(validator.validate(mr))
                .singleElement()
                .asString()
                .startsWith("spec.server.upstream: not enabled on this operator")
                .contains("fledge.server.upstream.enabled")
                .contains("operator.modelPods.upstream.enabled");

        SpecValidator enabled = new SpecValidator(
                new PodTemplatePolicy(List.of("registry.example.com/models/"), List.of()).withUpstream(true),
                SpecValidator.MIN_INTERVAL);
        assertThat(enabled.validate(mr)).isEmpty();

        mr.getSpec().getServer().setImage(null);
        assertThat(enabled.validate(mr))
                .singleElement()
                .asString()
                .startsWith("spec.server.image: required with spec.server.upstream");

        mr.getSpec().getServer().setImage("evil.example/shell:1");
        assertThat(enabled.validate(mr))
                .singleElement()
                .asString()
                .startsWith("spec.server.image: evil.example/shell:1 is not allowed");
    }

    /** A recorded stable configuration with an upstream on the operator's default image is refused too. */
    @Test
    void aRecordedUpstreamOnTheDefaultImageOrOnAnOperatorWithoutUpstreamIsRefused() {
        ModelRelease mr = release("{spec: {containers: [{name: model-server, args: [serve]}]}}", null);
        mr.getSpec().getServer().setUpstream(new UpstreamSpec());
        ServingStatus recorded =
                new ServingConfig(new ServerDefaults("registry.example.com/models/server:1", 8080)).of(mr);
        PodTemplatePolicy pods = new PodTemplatePolicy(List.of("registry.example.com/models/"), List.of());

        assertThat(new RecordedServingPolicy(pods.withUpstream(true), "registry.example.com/models/server:1")
                        .refusals(recorded))
                .singleElement()
                .asString()
                .startsWith("status.stable.image: required with spec.server.upstream");
        recorded.setImage("registry.example.com/models/vllm:1");
        assertThat(new RecordedServingPolicy(pods, "registry.example.com/models/server:1").refusals(recorded))
                .singleElement()
                .asString()
                .startsWith("status.stable.upstream: not enabled on this operator");
    }

    @Test
    void commandAndArgsAreTheUpstreamServersAndItsSidecarImageIsHeldToTheImagePrefixes() {
        SpecValidator validator = new SpecValidator(
                new PodTemplatePolicy(List.of("registry.example.com/models/"), List.of()).withUpstream(true),
                SpecValidator.MIN_INTERVAL);
        ModelRelease mr = release(
                "{spec: {containers: [{name: model-server, command: [vllm], args: [serve, /models/llama]}]}}",
                "registry.example.com/models/vllm:1");
        mr.getSpec().getServer().setUpstream(new UpstreamSpec().withPort(8000));
        assertThat(validator.validate(mr)).isEmpty();

        mr.getSpec().getServer().getUpstream().setProxyImage("evil.example/fledge:1");
        assertThat(validator.validate(mr))
                .singleElement()
                .satisfies(e -> assertThat(e).startsWith("spec.server.upstream.proxyImage: evil.example/fledge:1"));
    }

    /** The same rules hold for a recorded stable configuration ({@code status.stable}), its default sidecar allowed. */
    @Test
    void aRecordedUpstreamConfigurationKeepsItsArgsAndTheOperatorsSidecarButNoOtherSidecar() {
        var policy = new RecordedServingPolicy(
                new PodTemplatePolicy(List.of("registry.example.com/models/"), List.of()).withUpstream(true),
                "registry.example.com/models/server:1",
                "fledge/proxy:1");
        ModelRelease mr = release(
                "{spec: {containers: [{name: model-server, args: [serve]}]}}", "registry.example.com/models/vllm:1");
        mr.getSpec().getServer().setUpstream(new UpstreamSpec());
        ServingStatus recorded = new ServingConfig(
                        new ServerDefaults("registry.example.com/models/server:1", 8080, "fledge/proxy:1"))
                .of(mr);
        assertThat(policy.refusals(recorded)).isEmpty();

        recorded.getUpstream().setProxyImage("evil.example/fledge:1");
        assertThat(policy.refusals(recorded))
                .singleElement()
                .satisfies(e -> assertThat(e).startsWith("status.stable.upstream.proxyImage: evil.example/fledge:1"));

        recorded.setUpstream(null);
        assertThat(policy.refusals(recorded))
                .singleElement()
                .satisfies(e -> assertThat(e)
                        .startsWith("status.stable.template.spec.containers[0].args: only with spec.server.upstream"));
    }

    static ModelRelease release(String templateYaml, String image) {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(new ObjectMetaBuilder()
                .withName("assistant")
                .withNamespace("team-a")
                .build());
        ServerSpec server = new ServerSpec().withImage(image);
        if (templateYaml != null) {
            try {
                server.withTemplate(new ObjectMapper(new YAMLFactory()).readValue(templateYaml, PodTemplateSpec.class));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        mr.setSpec(new ModelReleaseSpec()
                .withModel(new ModelSpec()
                        .withName("assistant")
                        .withVersion("2.0.0")
                        .withUri("s3://m/2"))
                .withServer(server));
        return mr;
    }
}
