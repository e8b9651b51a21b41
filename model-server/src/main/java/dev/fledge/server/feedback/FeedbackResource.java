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
 * {@code POST /v1/feedback}: a user's rating of a response this release served. The id is signed by the server
 * ({@link IssuedResponses}), so any replica of the release accepts it, and it names the audience the response was
 * served to: a rating must come from that same audience (its own {@code X-Fledge-Audience}, which the public route
 * strips). A response id that leaked from an internal user to the public is therefore refused with 403 and stays
 * open for the internal user's own rating; a forged header on a public response's rating is refused too. The
 * rating counts under the version that served the response. Unknown, forged or expired ids get 404, a second rating
 * of one id on the same replica 409.
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
        IssuedResponses.Issued served = issued.verify(request.id())
                .orElseThrow(() ->
                        ApiException.notFound("unknown or expired response id (or one this release did not sign)"));
        if (served.audience() != Audience.fromHeader(audienceHeader)) {
            throw new ApiException(
                    403,
                    "permission_error",
                    "this response was served to another audience; it can be rated only through the route it was"
                            + " served on");
        }
        issued.markRated(request.id());
        metrics.feedback(served.audience(), served.version(), rating);
        return new Recorded(request.id(), rating.label(), "recorded");
    }
}
