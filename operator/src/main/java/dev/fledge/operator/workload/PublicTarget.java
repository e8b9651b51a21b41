package dev.fledge.operator.workload;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Objects;

/**
 * The container port the replicas router's public Service targets: {@link ServerDefaults#PUBLIC_PORT}, where the
 * model server counts every request as public whatever audience header it carries (security review 15, MED 3), once
 * the pod template of each of the release's Deployments names it. A stable Deployment kept from an operator before
 * template revision 3 has no such port until its next promotion: a Service that named it would have no endpoint on
 * those pods, so until then the public Service keeps {@link ServerDefaults#PORT}. During that promotion the stable's
 * old pods leave the public endpoints as soon as its template has the port; the public Service still selects the
 * canary's pods until the stable has all of its new ones ready, so it is never without endpoints. Not the rollout's
 * progress but the template decides, so the port does not flap while a canary scales. Only Deployments the release
 * controls count ({@link Ownership#controlledBy}): a {@code <release>-canary} someone else created is none of its
 * tracks, and the operator never writes it.
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
            // a Deployment under the release's name that it does not own is not its track (Ownership)
            if (Ownership.controlledBy(d, mr)
                    && (!namesPublicPort(d.getSpec().getTemplate()) || keepsTemplateWithoutIt(d))) {
                return ServerDefaults.PORT;
            }
        }
        return ServerDefaults.PUBLIC_PORT;
    }

    /**
     * A stable in its first promotion to a template with the port keeps its older template ({@link KeptTemplate}) to go
     * back to on an abort (also while the spec is invalid, when no route is recomputed): until the promotion is done,
     * the public Service stays on {@link ServerDefaults#PORT}, which both templates have.
     */
    private static boolean keepsTemplateWithoutIt(Deployment d) {
        return KeptTemplate.keptBy(d)
                .filter(k -> !namesPublicPort(k.template()))
                .isPresent();
    }

    static boolean namesPublicPort(PodTemplateSpec t) {
        return t != null
                && t.getSpec() != null
                && DesiredDeployment.fledgeContainer(t.getSpec().getContainers()).stream()
                        .map(Container::getPorts)
                        .filter(Objects::nonNull)
                        .flatMap(List::stream)
                        .map(ContainerPort::getName)
                        .anyMatch(ServerDefaults.PUBLIC_PORT::equals);
    }
}
