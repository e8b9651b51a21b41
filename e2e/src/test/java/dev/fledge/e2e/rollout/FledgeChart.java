package dev.fledge.e2e.rollout;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Helm chart {@code helm/fledge}, rendered by helm-java's bundled Helm ({@code helm
 * template}; it never renders {@code crds/}, which the suites install themselves).
 */
public final class FledgeChart {

  public static final String RELEASE = "fledge";
  public static final Set<String> RBAC_KINDS =
      Set.of("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding");

  /**
   * The values the k3s tier installs with: its images are imported into the node, never pulled (so no
   * prom-label-proxy image), and its models sit in a node directory that the operator must allow.
   */
  public static final Map<String, String> K3S_VALUES = Map.of("image.pullPolicy", "Never",
      "operator.prometheus.labelProxy.enabled", "false",
      "operator.modelPods.allowedHostPathPrefixes[0]", Quickstart.NODE_MODELS_DIR);

  private final List<HasMetadata> objects;

  private FledgeChart(List<HasMetadata> objects) {
    this.objects = objects;
  }

  /**
   * {@code helm template fledge <chart> -n <namespace> --kube-version <v> --set k=v ...}; the
   * Kubernetes version is the cluster's (helm template alone assumes an old one).
   */
  public static FledgeChart render(
      Path chartDir, String namespace, String kubeVersion, Map<String, String> values) {
    TemplateCommand template =
        new Helm(chartDir)
            .template()
            .withName(RELEASE)
            .withNamespace(namespace)
            .withKubeVersion(kubeVersion);
    for (var e : values.entrySet()) {
      template = template.set(e.getKey(), e.getValue());
    }
    return new FledgeChart(parse(template.call()));
  }

  public List<HasMetadata> objects() {
    return objects;
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
    return objects.stream()
        .filter(Deployment.class::isInstance)
        .map(Deployment.class::cast)
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
