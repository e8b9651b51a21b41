package dev.fledge.operator.routing;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AudienceRouteSpec;
import dev.fledge.api.spec.GatewayApiSpec;
import dev.fledge.api.spec.HeaderTrust;
import dev.fledge.api.spec.ParentReference;
import dev.fledge.api.spec.Router;
import dev.fledge.api.spec.StageSpec;
import dev.fledge.core.rollout.SpecWarning;
import dev.fledge.core.rollout.Stage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who may count as internal or closed under the gatewayAPI router (issue 15, finding 5). An audience with its own
 * {@code hostnames} or {@code parentRefs} is trusted by who can reach them. An audience told apart by a header shares
 * the public route's listeners, where anyone can send that header: so header audiences are an explicit opt-in,
 * {@code gatewayAPI.headerAudiences.trust}, and with {@code AuthProxy} the release carries the standing warning
 * {@value #HEADER_ON_PUBLIC_LISTENER}. Without the opt-in such an audience fails closed: no rule, its users get the
 * public split, and the warning {@value #NOT_ROUTED}; never Invalid. Pure.
 */
public final class AudienceTrust {
    public static final String HEADER_ON_PUBLIC_LISTENER = "HeaderAudienceOnPublicListener";
    /** Condition type: an audience stage has no route (no own route, no header opt-in); its users get the public split. */
    public static final String NOT_ROUTED = "AudienceNotRouted";
    /** Reason of {@value #NOT_ROUTED}. */
    public static final String NOT_TRUSTED = "HeaderAudienceNotTrusted";
    /** Condition type: an audience's own route has only hostnames on the public listeners. */
    public static final String HOSTNAME_ON_PUBLIC_LISTENER = "AudienceHostnameOnPublicListener";

    private AudienceTrust() {}

    /** True when the audience is routed by its own HTTPRoute (hostnames or parentRefs). */
    static boolean ownRoute(AudienceRouteSpec a) {
        return a != null
                && ((a.getHostnames() != null && !a.getHostnames().isEmpty())
                        || (a.getParentRefs() != null && !a.getParentRefs().isEmpty()));
    }

    /** True when the audience gets a header rule in the release's (public) HTTPRoute. */
    static boolean headerRule(GatewayApiSpec spec, AudienceRouteSpec a) {
        return spec.getHeaderAudiences() != null && !ownRoute(a);
    }

    /**
     * An audience of {@code spec.stages} that has neither its own route nor the header opt-in has no way in, and a
     * {@code header} setting without the opt-in is ignored. Neither makes the release Invalid (a release stored before
     * the opt-in existed must keep rolling out and stay abortable): the routes are rendered without header rules, so
     * those users get the public split, and the release carries the standing warning {@value #NOT_ROUTED} (reason
     * {@value #NOT_TRUSTED}) naming the field to set. Nothing for another router.
     */
    public static Optional<SpecWarning> notRouted(ModelRelease mr) {
        GatewayApiSpec spec = gatewayApi(mr);
        if (spec == null || spec.getHeaderAudiences() != null) {
            return Optional.empty();
        }
        List<String> problems = new ArrayList<>();
        for (Stage stage : Stage.AUDIENCES) {
            String audience = stage.wireName();
            AudienceRouteSpec a = HttpRoutes.audience(spec, audience);
            String path = "spec.traffic.gatewayAPI." + audience;
            if (ownRoute(a)) {
                continue;
            }
            if (a != null && a.getHeader() != null) {
                problems.add(path + ".header is ignored without the opt-in");
            } else if (staged(mr, audience)) {
                problems.add("the " + audience + " stage has no route of its own (" + path + ".hostnames or"
                        + " .parentRefs)");
            }
        }
        if (problems.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new SpecWarning(
                NOT_ROUTED,
                NOT_TRUSTED,
                String.join("; ", problems) + ": header audiences are opt-in, so no header rule is written and those"
                        + " users get the public split; the internal and closed stages gather no audience traffic."
                        + " Give the audience hostnames or parentRefs that only its users reach, or set"
                        + " spec.traffic.gatewayAPI.headerAudiences.trust (anyone who reaches the public listeners can"
                        + " send " + Labels.AUDIENCE_HEADER + ")."));
    }

    /**
     * An audience with its own route by {@code hostnames} only inherits the public {@code spec.parentRefs}: anyone who
     * reaches those listeners and sends that Host header reaches it. A standing warning, unless the admin declared the
     * listeners private ({@code headerAudiences.trust: PrivateListener}).
     */
    public static Optional<SpecWarning> hostnameOnPublicListener(ModelRelease mr) {
        GatewayApiSpec spec = gatewayApi(mr);
        if (spec == null
                || (spec.getHeaderAudiences() != null
                        && spec.getHeaderAudiences().getTrust() == HeaderTrust.PRIVATE_LISTENER)) {
            return Optional.empty();
        }
        List<String> audiences = new ArrayList<>();
        for (Stage stage : Stage.AUDIENCES) {
            AudienceRouteSpec a = HttpRoutes.audience(spec, stage.wireName());
            if (ownRoute(a) && (a.getParentRefs() == null || a.getParentRefs().isEmpty())) {
                audiences.add(stage.wireName() + " (hostnames " + a.getHostnames() + ")");
            }
        }
        if (audiences.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new SpecWarning(
                HOSTNAME_ON_PUBLIC_LISTENER,
                "HostnameOnPublicListener",
                String.join(", ", audiences) + " inherit the public listeners " + listeners(spec.getParentRefs())
                        + ": anyone who reaches them and sends that Host header reaches the audience's route. Give the"
                        + " audience parentRefs on a listener or Gateway that only its users reach."));
    }

    /** The standing warning when a header audience shares the public route's listeners behind an auth proxy. */
    public static Optional<SpecWarning> warning(ModelRelease mr) {
        GatewayApiSpec spec = gatewayApi(mr);
        if (spec == null
                || spec.getHeaderAudiences() == null
                || spec.getHeaderAudiences().getTrust() == HeaderTrust.PRIVATE_LISTENER) {
            return Optional.empty();
        }
        List<String> audiences = new ArrayList<>();
        for (Stage stage : Stage.AUDIENCES) {
            AudienceRouteSpec a = HttpRoutes.audience(spec, stage.wireName());
            if (headerRule(spec, a)) {
                String header =
                        a != null && a.getHeader() != null && a.getHeader().getName() != null
                                ? a.getHeader().getName()
                                : Labels.AUDIENCE_HEADER;
                audiences.add(stage.wireName() + " (header " + header + ")");
            }
        }
        if (audiences.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new SpecWarning(
                HEADER_ON_PUBLIC_LISTENER,
                "HeaderTrustedToAuthProxy",
                String.join(", ", audiences) + " share the public listeners " + listeners(spec.getParentRefs())
                        + ": anyone who reaches them without passing the auth proxy that overwrites the header can"
                        + " claim that audience and reach the canary early. Prefer hostnames or parentRefs that only"
                        + " those users reach."));
    }

    private static String listeners(List<ParentReference> refs) {
        if (refs == null) {
            return "[]";
        }
        return refs.stream()
                .map(p -> (p.getNamespace() == null ? "" : p.getNamespace() + "/")
                        + p.getName()
                        + (p.getSectionName() == null ? "" : "#" + p.getSectionName()))
                .toList()
                .toString();
    }

    private static boolean staged(ModelRelease mr, String audience) {
        List<StageSpec> stages = mr.getSpec().getStages();
        if (stages == null || stages.isEmpty()) {
            return true; // the default stages are internal, closed, public
        }
        return stages.stream()
                .anyMatch(
                        s -> s.getName() != null && audience.equals(s.getName().wireName()));
    }

    private static GatewayApiSpec gatewayApi(ModelRelease mr) {
        if (mr.getSpec() == null || mr.getSpec().getTraffic() == null || Routers.kind(mr) != Router.GATEWAY_API) {
            return null;
        }
        return mr.getSpec().getTraffic().getGatewayAPI();
    }
}
