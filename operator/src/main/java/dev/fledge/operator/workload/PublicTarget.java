package dev.fledge.operator.workload;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The container port the replicas router's public Service targets: {@link ServerDefaults#PUBLIC_PORT}, where the
 * model server counts every request as public whatever audience header it carries (security review 15, MED 3), once
 * every pod of the release has it. A stable Deployment kept from an operator before template revision 3 has no such
 * port until its next promotion, and a Deployment still rolling to one that has it runs older pods: a Service that
 * named the new port would have no endpoint on them, so until then the public Service keeps {@link ServerDefaults#PORT}.
 */
public final class PublicTarget {
    private final KubernetesClient client;

    public PublicTarget(KubernetesClient client) {
        this.client = client;
    }

    public String portName(ModelRelease mr) {
        for (String track : List.of(Labels.TRACK_STABLE, Labels.TRACK_CANARY)) {
            Deployment d = client.apps()
                    .deployments()
                    .inNamespace(mr.getMetadata().getNamespace())
                    .withName(Names.deployment(mr, track))
                    .get();
            if (d != null && !allPodsHavePublicPort(d)) {
                return ServerDefaults.PORT;
            }
        }
        return ServerDefaults.PUBLIC_PORT;
    }

    /** The template names the public port and every pod was built from that template (the rollout is complete). */
    static boolean allPodsHavePublicPort(Deployment d) {
        boolean declared =
                Optional.ofNullable(d.getSpec().getTemplate().getSpec().getContainers()).orElse(List.of()).stream()
                        .filter(c -> ServerDefaults.CONTAINER.equals(c.getName()))
                        .map(Container::getPorts)
                        .filter(Objects::nonNull)
                        .flatMap(List::stream)
                        .map(ContainerPort::getName)
                        .anyMatch(ServerDefaults.PUBLIC_PORT::equals);
        if (!declared) {
            return false;
        }
        DeploymentStatus status = d.getStatus();
        if (status == null) {
            return replicas(d.getSpec().getReplicas()) == 0;
        }
        boolean observed = status.getObservedGeneration() != null
                && d.getMetadata().getGeneration() != null
                && status.getObservedGeneration() >= d.getMetadata().getGeneration();
        return observed && replicas(status.getReplicas()) == replicas(status.getUpdatedReplicas());
    }

    private static int replicas(Integer n) {
        return n == null ? 0 : n;
    }
}
