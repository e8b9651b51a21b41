package dev.fledge.server.feedback;

import dev.fledge.server.api.ApiException;
import dev.fledge.server.api.JsonBodies;
import dev.fledge.server.metrics.Audience;
import dev.fledge.server.metrics.Rating;
import dev.fledge.server.metrics.ServerMetrics;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code POST /v1/feedback}: a user's rating of a response this server issued recently. It is counted under the
 * less trusted of two audiences: the one the response was issued to, and the one the rating comes from (its own
 * {@code X-Fledge-Audience}, which the public route strips). A response id that leaked from an internal user to
 * the public, or a public user's rating sent with a forged header through a public route, therefore never counts
 * as internal feedback; the feedback gate counts only its {@code trustedAudiences}. Unknown or expired ids get 404,
 * a second rating of one id 409.
 */
@Path("/v1/feedback")
public class FeedbackResource {
    private final JsonBodies json;
    private final IssuedResponses issued;
    private final ServerMetrics metrics;

    public FeedbackResource(JsonBodies json, IssuedResponses issued, ServerMetrics metrics) {
        this.json = json;
        this.issued = issued;
        this.metrics = metrics;
    }

    public record Recorded(String id, String rating, String status) {}

    @POST
    @Produces(MediaType.APPLICATION_JSON)
    public Recorded rate(String body, @HeaderParam(Audience.HEADER) String audienceHeader) {
        FeedbackRequest request = json.parse(body, FeedbackRequest.class);
        if (request.id() == null || request.id().isBlank()) {
            throw ApiException.invalid("field 'id' is required");
        }
        Rating rating = Rating.parse(request.rating())
                .orElseThrow(() -> ApiException.invalid("field 'rating' must be 'positive' or 'negative'"));
        Audience issuedTo = issued.rate(request.id())
                .orElseThrow(() -> ApiException.notFound("unknown or expired response id '" + request.id() + "'"));
        metrics.feedback(Audience.leastTrusted(issuedTo, Audience.fromHeader(audienceHeader)), rating);
        return new Recorded(request.id(), rating.label(), "recorded");
    }
}
