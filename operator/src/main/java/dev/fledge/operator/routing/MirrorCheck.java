package dev.fledge.operator.routing;

import dev.fledge.api.ModelRelease;
import dev.fledge.operator.workload.Applier;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
 * says why.
 *
 * <p>Before the dry run, each Gateway the route names must not say it lacks the feature ({@link MirrorSupport}: its
 * GatewayClass's {@code status.supportedFeatures}); one that does gets no mirror either, as Traefik answers 500 to
 * every request of a rule with a RequestMirror filter.
 *
 * <p>The answer is kept per release (uid) and spec generation for {@link #RECHECK}, then asked again, kept or
 * refused: a fixed CRD or webhook is found without an edit, and so is a Gateway whose class has since lost the
 * feature (or was swapped, or had not yet published its features), at one dry run and two reads per mirroring route
 * every 5 minutes at most. A route the real write stored otherwise than written, after a dry run that kept it
 * ({@link #refuse}), stays refused until the spec changes.
 */
final class MirrorCheck {
    /** How long an answer stands before it is asked again. */
    static final Duration RECHECK = Duration.ofMinutes(5);

    private final Applier applier;
    private final MirrorSupport support;
    private final Clock clock;
    private final Map<String, Checked> checked = new ConcurrentHashMap<>();

    /** The answer for one generation of a release's spec: null refusal when kept; until null: for the generation. */
    private record Checked(Long generation, String refusal, Instant until) {
        boolean standsFor(ModelRelease release, Instant now) {
            return Objects.equals(generation, release.getMetadata().getGeneration())
                    && (until == null || now.isBefore(until));
        }
    }

    MirrorCheck(Applier applier, MirrorSupport support, Clock clock) {
        this.applier = applier;
        this.support = support;
        this.clock = clock;
    }

    /** Empty when the API server keeps every RequestMirror of {@code desired} as written; otherwise why not. */
    Optional<String> refusal(ModelRelease release, List<HTTPRoute> desired) {
        Instant now = clock.instant();
        Checked seen = checked.get(key(release));
        if (seen != null && seen.standsFor(release, now)) {
            return Optional.ofNullable(seen.refusal());
        }
        String refusal = dryRun(desired);
        checked.put(key(release), new Checked(release.getMetadata().getGeneration(), refusal, now.plus(RECHECK)));
        return Optional.ofNullable(refusal);
    }

    /** The real write stored a mirror otherwise than written: refused until the spec changes. */
    void refuse(ModelRelease release, String why) {
        checked.put(key(release), new Checked(release.getMetadata().getGeneration(), why, null));
    }

    /** The release no longer mirrors, or is gone: its answer is asked again next time. */
    void forget(ModelRelease release) {
        checked.remove(key(release));
    }

    private String dryRun(List<HTTPRoute> desired) {
        List<String> drift = new ArrayList<>();
        for (HTTPRoute want : desired) {
            List<String> wanted = mirrors(want);
            if (wanted.isEmpty()) {
                continue;
            }
            Optional<String> unsupported = support.missing(want);
            if (unsupported.isPresent()) {
                return "HTTPRoute " + want.getMetadata().getName() + ": " + unsupported.get()
                        + "; the routes carry no mirror; asked again in " + RECHECK.toMinutes() + " min";
            }
            HTTPRoute stored;
            try {
                stored = applier.dryRun(want);
            } catch (KubernetesClientException e) {
                String why = e.getStatus() != null && e.getStatus().getMessage() != null
                        ? e.getStatus().getMessage()
                        : "no answer";
                return "the RequestMirror of HTTPRoute " + want.getMetadata().getName()
                        + " could not be checked (dry run refused, " + e.getCode() + ": " + why
                        + "; an HTTPRoute CRD without RequestMirror percent, as the Gateway API standard channel before"
                        + " v1.3, refuses the field): the routes carry no mirror; asked again in "
                        + RECHECK.toMinutes() + " min";
            }
            List<String> got = mirrors(stored);
            if (!got.equals(wanted)) {
                drift.add("HTTPRoute " + want.getMetadata().getName() + " would mirror " + got + ", want " + wanted);
            }
        }
        return drift.isEmpty()
                ? null
                : String.join("; ", drift)
                        + ": the API server would not store RequestMirror as written (a webhook or a CRD that drops"
                        + " its percent: the Gateway would copy every request to the canary); the routes carry no"
                        + " mirror; asked again in " + RECHECK.toMinutes() + " min";
    }

    /** The release's uid; its namespace/name where it has none (an object not read from the API server). */
    private static String key(ModelRelease release) {
        String uid = release.getMetadata().getUid();
        return uid != null
                ? uid
                : release.getMetadata().getNamespace() + "/"
                        + release.getMetadata().getName();
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
