package dev.fledge.testsupport;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Helm chart {@code helm/fledge}, rendered by helm-java's bundled Helm ({@code helm template}; it never renders
 * {@code crds/}, which the suites install themselves), and the manifests it rendered, parsed into Fabric8 objects.
 */
public final class FledgeChart {
    public static final String RELEASE = "fledge";
    public static final Set<String> RBAC_KINDS =
            Set.of("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding");
    /**
     * The values the k3s tier installs with: its images are imported into the node, never pulled (so no
     * prom-label-proxy image), and its models sit in a node directory (e2e's Quickstart.NODE_MODELS_DIR) that the
     * operator must allow.
     */
    public static final Map<String, String> K3S_VALUES = Map.of(
            "image.pullPolicy",
            "Never",
            "operator.prometheus.labelProxy.enabled",
            "false",
            "operator.modelPods.allowedHostPathPrefixes[0]",
            "/var/lib/fledge/models");

    private final String yaml;
    private final List<HasMetadata> objects;

    private FledgeChart(String yaml) {
        this.yaml = yaml;
        this.objects = parse(yaml);
    }

    /**
     * {@code helm template fledge <chart> -n <namespace> --kube-version <v> --set k=v ...}; the Kubernetes version is
     * the cluster's (helm template alone assumes an old one).
     */
    public static FledgeChart render(Path chartDir, String namespace, String kubeVersion, Map<String, String> values) {
        TemplateCommand template = template(chartDir, namespace, kubeVersion);
        for (var e : values.entrySet()) {
            template = template.set(e.getKey(), e.getValue());
        }
        return new FledgeChart(template.call());
    }

    /** Renders the chart with a values file holding {@code valuesYaml} (on top of the defaults). */
    public static FledgeChart render(Path chartDir, String namespace, String kubeVersion, String valuesYaml) {
        return new FledgeChart(renderText(chartDir, namespace, kubeVersion, valuesYaml));
    }

    /** Manifests rendered elsewhere (e.g. {@code helm show crds}), parsed. */
    public static FledgeChart of(String yaml) {
        return new FledgeChart(yaml);
    }

    /** The raw {@code helm template} output; throws with Helm's message when Helm refuses. */
    public static String renderText(Path chartDir, String namespace, String kubeVersion, String valuesYaml) {
        Path values = null;
        try {
            TemplateCommand template = template(chartDir, namespace, kubeVersion);
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

    private static TemplateCommand template(Path chartDir, String namespace, String kubeVersion) {
        return new Helm(chartDir)
                .template()
                .withName(RELEASE)
                .withNamespace(namespace)
                .withKubeVersion(kubeVersion);
    }

    /** The rendered manifests as Helm wrote them. */
    public String yaml() {
        return yaml;
    }

    public List<HasMetadata> objects() {
        return objects;
    }

    public <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    public <T extends HasMetadata> T one(Class<T> type) {
        List<T> found = all(type);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + type.getSimpleName() + " but found " + found.size());
        }
        return found.get(0);
    }

    public List<HasMetadata> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.getKind())).toList();
    }

    /** The ServiceAccount, Roles, ClusterRoles and their bindings. */
    public List<HasMetadata> rbac() {
        return objects.stream().filter(o -> RBAC_KINDS.contains(o.getKind())).toList();
    }

    public String serviceAccountName() {
        return objects.stream()
                .filter(o -> "ServiceAccount".equals(o.getKind()))
                .map(o -> o.getMetadata().getName())
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("the chart renders no ServiceAccount"));
    }

    /** An environment variable of the operator container, as the chart sets it. */
    public String operatorEnv(String name) {
        return all(Deployment.class).stream()
                .flatMap(d -> d.getSpec().getTemplate().getSpec().getContainers().stream())
                .flatMap(c -> c.getEnv().stream())
                .filter(e -> name.equals(e.getName()))
                .map(e -> e.getValue())
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("the operator Deployment sets no " + name));
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
}
