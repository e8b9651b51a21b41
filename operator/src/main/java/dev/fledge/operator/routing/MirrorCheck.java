package dev.fledge.operator.routing;

import dev.fledge.api.ModelRelease;
import dev.fledge.operator.workload.Applier;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether the API server keeps the shadow stage's RequestMirror filters as written, asked with a server-side dry run
 * before any route carries one. A filter stored without its {@code percent} (dropped by a mutating webhook, or by an
 * API server that prunes what its CRD does not declare) makes the Gateway copy every request of the audience to a
 * canary no one has approved: more real prompts than the release states. An HTTPRoute CRD without the field (the
 * Gateway API standard channel before v1.3) refuses it under server-side apply ("field not declared in schema"), so
 * the whole route write would fail. Either way the release is routed without any mirror (fail closed), and the drift
 * says why. A kept or changed mirror is remembered per release (uid) and spec generation, so the dry run is sent once
 * per generation (and after a restart), not at every pass; a refused dry run is asked again at the next pass.
 */
final class MirrorCheck {
    private final Applier applier;
    private final Map<String, Checked> checked = new ConcurrentHashMap<>();

    private record Checked(Long generation, String refusal) {}

    MirrorCheck(Applier applier) {
        this.applier = applier;
    }

    /**
     * Empty when the API server keeps every RequestMirror of {@code desired} as written; otherwise why the routes are
     * to carry none. A dry run that fails is a refusal for this pass only (not kept).
     */
    Optional<String> refusal(ModelRelease release, List<HTTPRoute> desired) {
        String uid = release.getMetadata().getUid();
        Long generation = release.getMetadata().getGeneration();
        Checked seen = checked.get(uid);
        if (seen != null && Objects.equals(seen.generation(), generation)) {
            return Optional.ofNullable(seen.refusal());
        }
        List<String> drift = new ArrayList<>();
        for (HTTPRoute want : desired) {
            List<String> wanted = mirrors(want);
            if (wanted.isEmpty()) {
                continue;
            }
            HTTPRoute stored;
            try {
                stored = applier.dryRun(want);
            } catch (KubernetesClientException e) {
                String why = e.getStatus() != null && e.getStatus().getMessage() != null
                        ? e.getStatus().getMessage()
                        : e.getMessage();
                return Optional.of(
                        "the RequestMirror of HTTPRoute " + want.getMetadata().getName()
                                + " could not be checked (dry run refused, " + e.getCode() + ": " + why
                                + "; an HTTPRoute CRD without RequestMirror percent, as the Gateway API standard channel"
                                + " before v1.3, refuses the field): the routes carry no mirror in this pass");
            }
            List<String> got = mirrors(stored);
            if (!got.equals(wanted)) {
                drift.add("HTTPRoute " + want.getMetadata().getName() + " would mirror " + got + ", want " + wanted);
            }
        }
        String refusal = drift.isEmpty()
                ? null
                : String.join("; ", drift)
                        + ": the API server would not store RequestMirror as written (a webhook or a CRD that drops"
                        + " its percent: the Gateway would copy every request to the canary); the routes carry no"
                        + " mirror until the spec changes";
        checked.put(uid, new Checked(generation, refusal));
        return Optional.ofNullable(refusal);
    }

    /** The release no longer mirrors, or is gone: its answer is asked again next time. */
    void forget(ModelRelease release) {
        checked.remove(release.getMetadata().getUid());
    }

    /** Each rule's RequestMirror filters, as {@code service:port=percent} (neither percent nor fraction: 100). */
    static List<String> mirrors(HTTPRoute route) {
        List<String> out = new ArrayList<>();
        if (route == null || route.getSpec() == null || route.getSpec().getRules() == null) {
            return out;
        }
        for (HTTPRouteRule rule : route.getSpec().getRules()) {
            if (rule.getFilters() == null) {
                continue;
            }
            rule.getFilters().stream().filter(f -> f.getRequestMirror() != null).forEach(f -> {
                var m = f.getRequestMirror();
                var ref = m.getBackendRef();
                Object share = m.getPercent() != null
                        ? m.getPercent()
                        : m.getFraction() == null
                                ? Integer.valueOf(100)
                                : m.getFraction().getNumerator() + "/"
                                        + m.getFraction().getDenominator();
                out.add((ref == null ? "-" : ref.getName() + ":" + ref.getPort()) + "=" + share);
            });
        }
        return out;
    }
}
