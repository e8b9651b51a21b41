package dev.fledge.e2e.rollout;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What a release looks like in the cluster, read back in short comparable strings. */
public final class ReleaseView {

    private final KubernetesClient client;
    private final String namespace;
    private final String name;

    public ReleaseView(KubernetesClient client, String namespace, String name) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
    }

    public ModelRelease release() {
        return client.resources(ModelRelease.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    public Deployment deployment(String track) {
        return client.apps()
                .deployments()
                .inNamespace(namespace)
                .withName(name + "-" + track)
                .get();
    }

    /** Desired replicas of the stable and the canary Deployment. */
    public List<Integer> replicas() {
        return List.of(
                deployment(Labels.TRACK_STABLE).getSpec().getReplicas(),
                deployment(Labels.TRACK_CANARY).getSpec().getReplicas());
    }

    /**
     * "service=track" for the public Service and the two audience Services of the replicas
     * router; "both" when a Service selects both tracks.
     */
    public List<String> selectors() {
        return List.of(name, name + "-internal", name + "-closed").stream()
                .map(n -> {
                    Service s =
                            client.services().inNamespace(namespace).withName(n).get();
                    return n + "=" + s.getSpec().getSelector().getOrDefault(Labels.TRACK, "both");
                })
                .toList();
    }

    /** The track a Service selects ("both" when it selects both tracks), null if it does not exist. */
    public String serviceTrack(String service) {
        Service s = client.services().inNamespace(namespace).withName(service).get();
        return s == null ? null : s.getSpec().getSelector().getOrDefault(Labels.TRACK, "both");
    }

    public HTTPRoute route() {
        return client.resources(HTTPRoute.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    /**
     * One "audience->backend=weight,..." per rule of the release's HTTPRoute, "*" for the rule
     * without a header match (the real schema defaults its match to path prefix "/").
     */
    public List<String> routeBackends() {
        List<String> out = new ArrayList<>();
        for (HTTPRouteRule rule : route().getSpec().getRules()) {
            String audience = rule.getMatches() == null
                    ? "*"
                    : rule.getMatches().stream()
                            .map(HTTPRouteMatch::getHeaders)
                            .filter(Objects::nonNull)
                            .flatMap(List::stream)
                            .filter(h -> Labels.AUDIENCE_HEADER.equalsIgnoreCase(h.getName()))
                            .map(HTTPHeaderMatch::getValue)
                            .findFirst()
                            .orElse("*");
            out.add(audience
                    + "->"
                    + String.join(
                            ",",
                            rule.getBackendRefs().stream()
                                    .map(b -> b.getName() + "=" + b.getWeight())
                                    .toList()));
        }
        return out;
    }

    /** Events about this release, of type Normal or Warning. */
    public List<Event> events(String type) {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName()))
                .filter(e -> type.equals(e.getType()))
                .toList();
    }

    public List<String> eventReasons(String type) {
        return events(type).stream().map(Event::getReason).toList();
    }
}
