package dev.fledge.operator.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fledge.api.ModelRelease;
import dev.fledge.operator.config.OperatorObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompactObjectsTest {
    static final KubernetesSerialization JSON = OperatorObjectMapper.serialization();

    /** A Deployment as the API server sends it: defaults filled in, quantities, probes, status conditions. */
    static final String DEPLOYMENT = """
            {"apiVersion": "apps/v1", "kind": "Deployment",
             "metadata": {"name": "assistant-canary", "namespace": "ml", "uid": "5b1c", "resourceVersion": "42",
                          "labels": {"app.kubernetes.io/name": "assistant", "fledge.dev/track": "canary"},
                          "ownerReferences": [{"apiVersion": "fledge.dev/v1alpha1", "kind": "ModelRelease",
                                               "name": "assistant", "uid": "9a", "controller": true}]},
             "spec": {"replicas": 2, "selector": {"matchLabels": {"fledge.dev/track": "canary"}},
                      "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}},
                      "template": {"metadata": {"labels": {"fledge.dev/track": "canary"}},
                                   "spec": {"containers": [{"name": "model-server", "image": "fledge/model-server:0.1.0",
                                     "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                                     "resources": {"limits": {"cpu": "2", "memory": "2Gi"},
                                                   "requests": {"cpu": "500m", "memory": "1Gi"}},
                                     "readinessProbe": {"httpGet": {"path": "/ready", "port": "http", "scheme": "HTTP"},
                                                        "periodSeconds": 5},
                                     "volumeMounts": [{"name": "models", "mountPath": "/models", "readOnly": true}]}],
                                   "volumes": [{"name": "models", "emptyDir": {}}],
                                   "dnsPolicy": "ClusterFirst", "restartPolicy": "Always"}}},
             "status": {"replicas": 2, "readyReplicas": 2,
                        "conditions": [{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable",
                                        "lastTransitionTime": "2026-12-06T05:00:00Z"}]}}
            """;

    @Test
    void everyModelObjectOfACachedDeploymentSharesOneEmptyMapAndSerializesAsBefore() {
        Deployment d = JSON.unmarshal(DEPLOYMENT, Deployment.class);
        String before = JSON.asJson(d);
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getAdditionalProperties())
                .as("Jackson leaves each object its own empty map")
                .isEmpty();
        assertThat(c.getAdditionalProperties()).isNotSameAs(Collections.emptyMap());

        CompactObjects.shrink(d);

        assertThat(JSON.asJson(d)).isEqualTo(before);
        for (Map<String, Object> extras : java.util.List.of(
                d.getAdditionalProperties(),
                d.getMetadata().getAdditionalProperties(),
                d.getMetadata().getOwnerReferences().get(0).getAdditionalProperties(),
                d.getSpec().getStrategy().getRollingUpdate().getAdditionalProperties(),
                d.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getVolumes()
                        .get(0)
                        .getEmptyDir()
                        .getAdditionalProperties(),
                c.getAdditionalProperties(),
                c.getResources().getLimits().get("memory").getAdditionalProperties(),
                c.getReadinessProbe().getHttpGet().getAdditionalProperties(),
                c.getVolumeMounts().get(0).getAdditionalProperties(),
                d.getStatus().getConditions().get(0).getAdditionalProperties())) {
            assertThat(extras).isSameAs(Collections.emptyMap());
        }
        assertThat(c.getResources().getRequests().get("cpu").toString()).isEqualTo("500m");
        assertThat(c.getVolumeMounts())
                .as("a trimmed list stays a list of its own")
                .isInstanceOf(ArrayList.class);
        assertThat(d.getMetadata().getLabels()).containsEntry("fledge.dev/track", "canary");
    }

    @Test
    void unknownFieldsAndAGenericObjectsContentAreKept() {
        Deployment d = JSON.unmarshal(
                DEPLOYMENT.replace("\"dnsPolicy\"", "\"fieldOfANewerKubernetes\": {\"on\": true}, \"dnsPolicy\""),
                Deployment.class);
        GenericKubernetesResource route = JSON.unmarshal("""
                {"apiVersion": "example.dev/v1", "kind": "Route", "metadata": {"name": "r", "namespace": "ml"},
                 "spec": {"rules": [{"weight": 10, "options": {}}]}}
                """, GenericKubernetesResource.class);
        String before = JSON.asJson(d);
        String routeBefore = JSON.asJson(route);

        CompactObjects.shrink(d);
        CompactObjects.shrink(route);

        assertThat(d.getSpec().getTemplate().getSpec().getAdditionalProperties())
                .containsEntry("fieldOfANewerKubernetes", Map.of("on", true));
        assertThat(JSON.asJson(d)).isEqualTo(before);
        assertThat(JSON.asJson(route)).isEqualTo(routeBefore);
        assertThat(route.getMetadata().getAdditionalProperties()).isSameAs(Collections.emptyMap());
    }

    @Test
    void aCopyOfACachedObjectIsItsOwnAndAddingToTheCachedOneFailsLoudly() {
        Deployment cached = CompactObjects.shrink(JSON.unmarshal(DEPLOYMENT, Deployment.class));

        Deployment copy = new DeploymentBuilder(cached).build();
        copy.getMetadata().setAdditionalProperty("note", "mine");

        assertThat(copy.getMetadata().getAdditionalProperties()).containsOnlyKeys("note");
        assertThat(cached.getMetadata().getAdditionalProperties()).isEmpty();
        assertThatThrownBy(() -> cached.getMetadata().setAdditionalProperty("note", "changes the cache"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aReleaseWithItsPodTemplateAndStatusIsShrunkAndReadsTheSame() throws Exception {
        ModelRelease mr = JSON.unmarshal(Files.readString(Path.of("..", "examples", "full.yaml")), ModelRelease.class);
        mr.setStatus(JSON.unmarshal("""
                {"phase": "Progressing", "stage": "closed", "canaryVersion": "2.0.0",
                 "gates": [{"name": "error-rate", "kind": "metric", "verdict": "Pass", "value": 0.001}],
                 "history": [{"stage": "internal"}],
                 "conditions": [{"type": "Ready", "status": "True", "reason": "Progressing",
                                 "lastTransitionTime": "2026-12-06T05:00:00Z"}]}
                """, dev.fledge.api.status.ModelReleaseStatus.class));
        mr = JSON.unmarshal(JSON.asJson(mr), ModelRelease.class); // as the informer reads it
        String before = JSON.asJson(mr);
        assertThat(mr.getSpec().getServer().getTemplate())
                .as("the example has a pod template")
                .isNotNull();

        new LeanItemStore<ModelRelease>().put("ml/assistant", mr);

        assertThat(JSON.asJson(mr)).isEqualTo(before);
        assertThat(mr.getMetadata().getAdditionalProperties()).isSameAs(Collections.emptyMap());
        assertThat(mr.getStatus().getConditions().get(0).getAdditionalProperties())
                .isSameAs(Collections.emptyMap());
        assertThat(mr.getSpec().getServer().getTemplate().getSpec().getAdditionalProperties())
                .isSameAs(Collections.emptyMap());
    }
}
