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
 * {@value #HEADER_ON_PUBLIC_LISTENER}. Pure.
 */
public final class AudienceTrust {
    public static final String HEADER_ON_PUBLIC_LISTENER = "HeaderAudienceOnPublicListener";

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
     * An audience of {@code spec.stages} that has neither its own route nor the header opt-in has no way in: an error
     * with its field path. So does a header setting without the opt-in. Nothing for another router.
     */
    public static List<String> errors(ModelRelease mr) {
        GatewayApiSpec spec = gatewayApi(mr);
        if (spec == null || spec.getHeaderAudiences() != null) {
            return List.of();
        }
        List<String> errors = new ArrayList<>();
        for (Stage stage : Stage.AUDIENCES) {
            String audience = stage.wireName();
            AudienceRouteSpec a = HttpRoutes.audience(spec, audience);
            String path = "spec.traffic.gatewayAPI." + audience;
            if (ownRoute(a)) {
                continue;
            }
            if (a != null && a.getHeader() != null) {
                errors.add(path + ".header: header audiences are opt-in: set spec.traffic.gatewayAPI.headerAudiences"
                        + ".trust to what keeps the public from sending that header, or use hostnames or parentRefs");
            } else if (staged(mr, audience)) {
                errors.add(path + ": the " + audience + " stage needs hostnames or parentRefs that only " + audience
                        + " users reach, or the opt-in spec.traffic.gatewayAPI.headerAudiences (anyone who reaches"
                        + " the public listeners can send " + Labels.AUDIENCE_HEADER + ")");
            }
        }
        return errors;
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
