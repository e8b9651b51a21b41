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
 * every request of a rule with a RequestMirror filter. Traefik's routes, where the platform allows it, carry the mirror
 * through a TraefikService instead ({@link Decision#viaTraefik}, {@link TraefikMirror}): no dry run of a filter that
 * is never written.
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
    private record Checked(Long generation, Decision decision, Instant until) {
        boolean standsFor(ModelRelease release, Instant now) {
            return Objects.equals(generation, release.getMetadata().getGeneration())
                    && (until == null || now.isBefore(until));
        }
    }

    /**
     * How the routes carry the mirror: as RequestMirror filters, through Traefik's TraefikService ({@code viaTraefik},
     * {@link TraefikMirror}), or not at all ({@code refusal} says why).
     */
    record Decision(boolean viaTraefik, String refusal) {
        static final Decision FILTER = new Decision(false, null);

        static Decision refused(String why) {
            return new Decision(false, why);
        }
    }

    MirrorCheck(Applier applier, MirrorSupport support, Clock clock) {
        this.applier = applier;
        this.support = support;
        this.clock = clock;
    }

    /** How the routes of {@code desired} (with their RequestMirror filters) may carry their mirrors. */
    Decision decide(ModelRelease release, List<HTTPRoute> desired) {
        Instant now = clock.instant();
        Checked seen = checked.get(key(release));
        if (seen != null && seen.standsFor(release, now)) {
            return seen.decision();
        }
        Decision decision = dryRun(desired);
        checked.put(key(release), new Checked(release.getMetadata().getGeneration(), decision, now.plus(RECHECK)));
        return decision;
    }

    /** The real write stored a mirror otherwise than written: refused until the spec changes. */
    void refuse(ModelRelease release, String why) {
        checked.put(key(release), new Checked(release.getMetadata().getGeneration(), Decision.refused(why), null));
    }

    /** The mirror's TraefikService could not be written for a lasting reason: refused for {@link #RECHECK}. */
    void refuseForAWhile(ModelRelease release, String why) {
        checked.put(
                key(release),
                new Checked(
                        release.getMetadata().getGeneration(),
                        Decision.refused(why + "; asked again in " + RECHECK.toMinutes() + " min"),
                        clock.instant().plus(RECHECK)));
    }

    /** The release no longer mirrors, or is gone: its answer is asked again next time. */
    void forget(ModelRelease release) {
        checked.remove(key(release));
    }

    private Decision dryRun(List<HTTPRoute> desired) {
        List<String> drift = new ArrayList<>();
        List<String> viaTraefik = new ArrayList<>();
        List<String> asFilters = new ArrayList<>();
        for (HTTPRoute want : desired) {
            List<String> wanted = mirrors(want);
            if (wanted.isEmpty()) {
                continue;
            }
            String name = want.getMetadata().getName();
            MirrorSupport.Answer answer = support.check(want);
            if (answer.missing().isPresent()) {
                return Decision.refused(
                        "HTTPRoute " + name + ": " + answer.missing().get()
                                + "; the routes carry no mirror; asked again in " + RECHECK.toMinutes() + " min");
            }
            if (answer.viaTraefik()) {
                viaTraefik.add(name); // written without the filter: its TraefikService is checked when written
                continue;
            }
            asFilters.add(name);
            HTTPRoute stored;
            try {
                stored = applier.dryRun(want);
            } catch (KubernetesClientException e) {
                String why = e.getStatus() != null && e.getStatus().getMessage() != null
                        ? e.getStatus().getMessage()
                        : "no answer";
                return Decision.refused("the RequestMirror of HTTPRoute " + name
                        + " could not be checked (dry run refused, " + e.getCode() + ": " + why
                        + "; an HTTPRoute CRD without RequestMirror percent, as the Gateway API standard channel before"
                        + " v1.3, refuses the field): the routes carry no mirror; asked again in "
                        + RECHECK.toMinutes() + " min");
            }
            List<String> got = mirrors(stored);
            if (!got.equals(wanted)) {
                drift.add("HTTPRoute " + name + " would mirror " + got + ", want " + wanted);
            }
        }
        if (!viaTraefik.isEmpty() && !asFilters.isEmpty()) {
            return Decision.refused("HTTPRoutes " + viaTraefik + " are served by Traefik, which mirrors through a"
                    + " TraefikService, and " + asFilters + " by Gateways that take RequestMirror: the release's"
                    + " routes mirror one way only; the routes carry no mirror; asked again in " + RECHECK.toMinutes()
                    + " min");
        }
        if (!drift.isEmpty()) {
            return Decision.refused(String.join("; ", drift)
                    + ": the API server would not store RequestMirror as written (a webhook or a CRD that drops"
                    + " its percent: the Gateway would copy every request to the canary); the routes carry no"
                    + " mirror; asked again in " + RECHECK.toMinutes() + " min");
        }
        return viaTraefik.isEmpty() ? Decision.FILTER : new Decision(true, null);
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
