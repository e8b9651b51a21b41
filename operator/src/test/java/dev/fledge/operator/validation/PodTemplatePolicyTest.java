package dev.fledge.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AnalysisSpec;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.spec.ServerSpec;
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
            a command override                  | {spec: {containers: [{name: model-server, command: [sh]}]}}                      | spec.server.template.spec.containers[0].command: not allowed
            a probe that makes the kubelet call | {spec: {containers: [{name: model-server, readinessProbe: {httpGet: {host: 169.254.169.254, port: 80}}}]}} | spec.server.template.spec.containers[0].readinessProbe: not allowed
            the token automount back on         | {spec: {automountServiceAccountToken: true}}                                     | spec.server.template.spec.automountServiceAccountToken: not allowed
            an operator label                   | {metadata: {labels: {fledge.dev/track: canary}}}                                 | spec.server.template.metadata.labels[fledge.dev/track]: set by the operator
            an AppArmor annotation              | {metadata: {annotations: {container.apparmor.security.beta.kubernetes.io/model-server: unconfined}}} | AppArmor and seccomp are set by the operator
            a volume with two sources           | {spec: {volumes: [{name: v, emptyDir: {}, configMap: {name: c}}]}}               | spec.server.template.spec.volumes[0]: needs exactly one of
            a raised download cap               | {spec: {containers: [{name: model-server, env: [{name: A, value: "1"}, {name: FLEDGE_MODEL_MAX_DOWNLOAD_SIZE, value: 1T}]}]}} | spec.server.template.spec.containers[0].env[1].name: FLEDGE_MODEL_MAX_DOWNLOAD_SIZE: FLEDGE_* variables are the operator's
            a download cap from a Secret        | {spec: {containers: [{name: model-server, env: [{name: FLEDGE_MODEL_MAX_EXTRACTED_SIZE, valueFrom: {secretKeyRef: {name: s, key: k}}}]}]}} | spec.server.template.spec.containers[0].env[0].name: FLEDGE_MODEL_MAX_EXTRACTED_SIZE: FLEDGE_* variables are the operator's
            a future model-server setting       | {spec: {containers: [{name: model-server, env: [{name: FLEDGE_MODEL_DOWNLOAD_TIMEOUT, value: 100h}]}]}} | spec.server.template.spec.containers[0].env[0].name: FLEDGE_MODEL_DOWNLOAD_TIMEOUT: FLEDGE_* variables are the operator's
            system properties through the JVM   | {spec: {containers: [{name: model-server, env: [{name: JAVA_TOOL_OPTIONS, value: -Dfledge.model.max-download-size=1T}]}]}} | spec.server.template.spec.containers[0].env[0].name: JAVA_TOOL_OPTIONS: JVM options could override
            variables from a ConfigMap          | {spec: {containers: [{name: model-server, envFrom: [{configMapRef: {name: limits}}]}]}} | spec.server.template.spec.containers[0].envFrom: not allowed
            """)
    void aTemplateFieldOutsideTheAllowListIsRejectedWithItsPath(String attack, String template, String error) {
        assertThat(validator.validate(release(template, null)))
                .anySatisfy(e -> assertThat(e).contains(error));
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
                    volumeMounts: [{name: cache, mountPath: /cache}]}]}}""";
        assertThat(validator.validate(release(template, "registry.example.com/models/server:1")))
                .isEmpty();
    }

    @Test
    void thePodsOwnCapacityTuningAndTestAidsStayAllowed() {
        String template = """
                {spec: {containers: [{name: model-server, env: [{name: FLEDGE_SERVING_WORKERS, value: "4"},
                  {name: FLEDGE_FAULT_LATENCY_MS, value: "400"}, {name: MY_FLEDGE_NOTE, value: x}]}]}}""";
        assertThat(validator.validate(release(template, null))).isEmpty();
    }

    @Test
    void anImageOutsideTheOperatorsPrefixesIsRejected() {
        assertThat(validator.validate(release(null, "docker.io/evil/miner:latest")))
                .containsExactly("spec.server.image: docker.io/evil/miner:latest is not allowed by this operator"
                        + " (allowed prefixes: [registry.example.com/models/])");
        assertThat(new SpecValidator().validate(release(null, "docker.io/evil/miner:latest")))
                .isEmpty();
    }

    @Test
    void anAnalysisIntervalBelowTheFloorIsRejected() {
        ModelRelease mr = release(null, null);
        mr.getSpec().withAnalysis(new AnalysisSpec().withInterval("100ms"));
        assertThat(validator.validate(mr)).containsExactly("spec.analysis.interval: at least 5s");
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
