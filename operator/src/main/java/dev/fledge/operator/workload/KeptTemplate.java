package dev.fledge.operator.workload;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.fledge.api.Labels;
import dev.fledge.api.status.ServingStatus;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The pod template of another template revision that a stable Deployment ran before a promotion replaced it, kept in
 * its annotation {@value #ANNOTATION} while the promotion is under way: if the promotion ends without finishing (an
 * abort, a new version), stable goes back to the recorded configuration in exactly that template, not in one this
 * operator builds around it, which no gate has run. The annotation is dropped once the promotion has finished.
 *
 * @param version    the version the template runs (its version label)
 * @param configHash the configuration hash it runs ({@link DesiredDeployment#CONFIG_HASH})
 * @param revision   its template revision; null when none was recorded
 * @param template   the pod template as it was
 */
record KeptTemplate(String version, String configHash, String revision, PodTemplateSpec template) {
    static final String ANNOTATION = "fledge.dev/kept-template";
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /** What {@code stable} runs now, to keep. */
    static KeptTemplate of(Deployment stable) {
        PodTemplateSpec t = stable.getSpec().getTemplate();
        Map<String, String> labels =
                t.getMetadata() == null ? null : t.getMetadata().getLabels();
        Map<String, String> annotations = stable.getMetadata().getAnnotations();
        return new KeptTemplate(
                labels == null ? null : labels.get(Labels.VERSION),
                annotations == null ? null : annotations.get(DesiredDeployment.CONFIG_HASH),
                DesiredDeployment.templateRevision(stable).orElse(null),
                JSON.convertValue(t, PodTemplateSpec.class));
    }

    /** The template {@code d} keeps in its annotation; empty without one, or with one that cannot be read. */
    static Optional<KeptTemplate> keptBy(Deployment d) {
        Map<String, String> annotations = d == null ? null : d.getMetadata().getAnnotations();
        String json = annotations == null ? null : annotations.get(ANNOTATION);
        if (json == null || json.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(json, KeptTemplate.class));
        } catch (JsonProcessingException e) {
            return Optional.empty(); // not one this operator wrote: nothing to go back to
        }
    }

    /** Whether this template runs {@code serving} (its version and configuration hash). */
    boolean runs(ServingStatus serving) {
        return version != null
                && version.equals(serving.getVersion())
                && configHash != null
                && configHash.equals(serving.getConfigHash());
    }

    /** {@code desired}, which also keeps this template in its annotation. */
    Deployment keptIn(Deployment desired) {
        try {
            annotations(desired).put(ANNOTATION, JSON.writeValueAsString(this));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a pod template always serializes", e);
        }
        return desired;
    }

    /**
     * {@code desired} running this template again, under its revision (empty when it recorded none) and keeping none.
     * Annotations are set empty rather than left out: a server-side apply removes what it leaves out, a merge patch
     * keeps it, and both store an empty value.
     */
    Deployment restoredIn(Deployment desired) {
        desired.getSpec().setTemplate(JSON.convertValue(template, PodTemplateSpec.class));
        Map<String, String> annotations = annotations(desired);
        annotations.put(ANNOTATION, "");
        annotations.put(DesiredDeployment.TEMPLATE_REVISION, revision == null ? "" : revision);
        return desired;
    }

    /** {@code desired} keeping no template (the annotation empty, see {@link #restoredIn}). */
    static Deployment noneIn(Deployment desired) {
        annotations(desired).put(ANNOTATION, "");
        return desired;
    }

    private static Map<String, String> annotations(Deployment d) {
        Map<String, String> a =
                new LinkedHashMap<>(Objects.requireNonNullElse(d.getMetadata().getAnnotations(), Map.of()));
        d.getMetadata().setAnnotations(a);
        return a;
    }
}
