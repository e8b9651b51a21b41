package dev.fledge.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The chart under test, rendered with helm-java's bundled Helm ({@code helm template}). */
final class FledgeChart {

    static final String RELEASE = "fledge";
    static final String NAMESPACE = "fledge-system";
    static final String KUBE_VERSION = "1.31.0";

    private FledgeChart() {
    }

    static Path dir() {
        return Path.of(System.getProperty("fledge.chart.dir", "fledge")).toAbsolutePath().normalize();
    }

    static Helm helm() {
        return new Helm(dir());
    }

    /** Renders the chart with its defaults. */
    static Rendered render() {
        return render("");
    }

    /** Renders the chart with a values file holding {@code valuesYaml} (on top of the defaults). */
    static Rendered render(String valuesYaml) {
        return new Rendered(renderText(valuesYaml));
    }

    /** The raw {@code helm template} output; throws with Helm's message when Helm refuses. */
    static String renderText(String valuesYaml) {
        Path values = null;
        try {
            TemplateCommand template = helm().template().withName(RELEASE).withNamespace(NAMESPACE)
                    .withKubeVersion(KUBE_VERSION);
            if (!valuesYaml.isBlank()) {
                values = Files.createTempFile("fledge-values", ".yaml");
                Files.writeString(values, valuesYaml);
                template = template.withValuesFile(values);
            }
            return template.call();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (values != null) {
                values.toFile().delete();
            }
        }
    }

    /** Rendered manifests, parsed into Fabric8 objects. */
    record Rendered(String yaml, List<HasMetadata> objects) {

        Rendered(String yaml) {
            this(yaml, parse(yaml));
        }

        private static List<HasMetadata> parse(String yaml) {
            Object parsed = Serialization.unmarshal(yaml);
            if (parsed instanceof List<?> list) {
                return list.stream().map(HasMetadata.class::cast).toList();
            }
            if (parsed instanceof KubernetesList list) {
                return list.getItems();
            }
            return parsed == null ? List.of() : List.of((HasMetadata) parsed);
        }

        <T extends HasMetadata> List<T> all(Class<T> type) {
            return objects.stream().filter(type::isInstance).map(type::cast).toList();
        }

        <T extends HasMetadata> T one(Class<T> type) {
            List<T> found = all(type);
            if (found.size() != 1) {
                throw new AssertionError("expected one " + type.getSimpleName() + " but found " + found.size());
            }
            return found.get(0);
        }

        List<HasMetadata> ofKind(String kind) {
            return objects.stream().filter(o -> kind.equals(o.getKind())).toList();
        }
    }
}
