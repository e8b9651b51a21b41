package dev.fledge.operator.routing;

import dev.fledge.api.Labels;
import dev.fledge.api.spec.AudienceRouteSpec;
import dev.fledge.api.spec.GatewayApiSpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeader;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The RequestHeaderModifier filters that keep a client from choosing the audience its request is counted in. */
final class AudienceHeaders {
    private AudienceHeaders() {}

    /** Removes {@value Labels#AUDIENCE_HEADER} and every header an audience of this route is told apart by. */
    static HTTPRouteFilter removeAll(GatewayApiSpec spec) {
        Set<String> names = new LinkedHashSet<>();
        names.add(Labels.AUDIENCE_HEADER);
        for (AudienceRouteSpec a : new AudienceRouteSpec[] {spec.getInternal(), spec.getClosed()}) {
            if (a != null && a.getHeader() != null && a.getHeader().getName() != null) {
                names.add(a.getHeader().getName());
            }
        }
        HTTPHeaderFilter f = new HTTPHeaderFilter();
        f.setRemove(List.copyOf(names));
        return filter(f);
    }

    /** Sets {@value Labels#AUDIENCE_HEADER} to the audience whose rule matched. */
    static HTTPRouteFilter set(String audience) {
        HTTPHeader h = new HTTPHeader();
        h.setName(Labels.AUDIENCE_HEADER);
        h.setValue(audience);
        HTTPHeaderFilter f = new HTTPHeaderFilter();
        f.setSet(List.of(h));
        return filter(f);
    }

    private static HTTPRouteFilter filter(HTTPHeaderFilter f) {
        HTTPRouteFilter filter = new HTTPRouteFilter();
        filter.setType("RequestHeaderModifier");
        filter.setRequestHeaderModifier(f);
        return filter;
    }
}
