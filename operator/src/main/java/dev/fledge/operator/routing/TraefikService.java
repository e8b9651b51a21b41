package dev.fledge.operator.routing;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.Map;

/**
 * Traefik's TraefikService ({@code traefik.io/v1alpha1}). Its CRD is Traefik's, vendored in
 * {@code vendor/traefik-v3.6.12/}; this class only reads and writes objects of it (the operator generates no CRD from
 * it). The spec is kept as the API server returns it, every field included, so that a field someone else added (a
 * {@code weighted} that Traefik would read before {@code mirroring}) is seen ({@link TraefikMirror}).
 */
@Group(TraefikService.GROUP)
@Version("v1alpha1")
@Kind(TraefikService.KIND)
@Plural("traefikservices")
public class TraefikService extends CustomResource<Map<String, Object>, Void> implements Namespaced {
    public static final String GROUP = "traefik.io";
    public static final String KIND = "TraefikService";
}
