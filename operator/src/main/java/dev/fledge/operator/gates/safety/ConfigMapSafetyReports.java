package dev.fledge.operator.gates.safety;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.fledge.api.ModelRelease;
import dev.fledge.operator.workload.Applier;
import dev.fledge.operator.workload.Owned;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;

/**
 * Writes each suite run's report into the ConfigMap {@code <release>-safety-report} (key {@code report.yaml}), owned
 * by the release so that it goes when the release goes. Server-side apply, like the operator's other objects.
 */
public final class ConfigMapSafetyReports implements SafetyReports {
    public static final String KEY = "report.yaml";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private final Applier applier;

    public ConfigMapSafetyReports(Applier applier) {
        this.applier = applier;
    }

    @Override
    public String publish(ModelRelease release, SafetyReport report) {
        if (release.getMetadata().getUid() == null) {
            throw new ReportNotWritten("release " + release.getMetadata().getName() + " has no uid to own the report");
        }
        String name = SafetyReports.configMapName(release);
        ConfigMap cm;
        try {
            cm = new ConfigMapBuilder()
                    .withMetadata(Owned.meta(release, name, Map.of("app.kubernetes.io/component", "safety-report")))
                    .withData(Map.of(KEY, YAML.writeValueAsString(report)))
                    .build();
        } catch (JsonProcessingException e) {
            throw new ReportNotWritten(
                    "report of " + name + " could not be written as YAML: " + e.getOriginalMessage());
        }
        try {
            applier.apply(cm);
        } catch (KubernetesClientException e) {
            throw new ReportNotWritten("ConfigMap " + name + " not written: " + e.getMessage());
        }
        return name;
    }
}
