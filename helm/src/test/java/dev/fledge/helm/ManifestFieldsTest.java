package dev.fledge.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every field the chart renders is one Kubernetes knows: Fabric8 keeps unknown fields (a typo
 * such as readOnlyRootFileSystem) in additionalProperties, so none may be left there.
 */
class ManifestFieldsTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "{}",
                "{replicaCount: 2, watchNamespaces: [ml], serviceMonitor: {enabled: true}, prometheusRule: {enabled: true},"
                        + " operator: {safety: {defaultJudgeUrl: 'http://guard:8080'}, prometheus: {auth: {existingSecret: t}},"
                        + " extraEnv: [{name: A, value: b}]}, tolerations: [{key: k, operator: Exists}],"
                        + " nodeSelector: {kubernetes.io/os: linux}, priorityClassName: system-cluster-critical}"
            })
    void renderedObjectsHaveOnlyKnownFields(String values) throws Exception {
        List<String> unknown = new ArrayList<>();
        for (HasMetadata object : ChartUnderTest.render(values + "\n").objects()) {
            if (!(object instanceof GenericKubernetesResource)) {
                collectUnknown(
                        object, object.getKind() + "/" + object.getMetadata().getName(), unknown);
            }
        }

        assertThat(unknown).isEmpty();
    }

    private static void collectUnknown(Object value, String path, List<String> unknown) throws Exception {
        if (value == null) {
            return;
        }
        if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                collectUnknown(list.get(i), path + "[" + i + "]", unknown);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                collectUnknown(e.getValue(), path + "." + e.getKey(), unknown);
            }
            return;
        }
        if (!value.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0
                    || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get")
                    || getter.getName().equals("getClass")) {
                continue;
            }
            Object child = getter.invoke(value);
            if (getter.getName().equals("getAdditionalProperties")) {
                if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    unknown.add(path + ": " + extra.keySet());
                }
            } else {
                collectUnknown(child, path + "." + getter.getName().substring(3), unknown);
            }
        }
    }
}
