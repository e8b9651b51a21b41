package dev.fledge.server.metrics;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

/** {@code GET /metrics} in the Prometheus text format. */
@Path("/metrics")
public class MetricsResource {
    private final ServerMetrics metrics;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    public MetricsResource(ServerMetrics metrics) {
        this.metrics = metrics;
    }

    @GET
    public Response scrape() {
        StreamingOutput body = out -> writer.write(out, metrics.registry().scrape());
        return Response.ok(body, PrometheusTextFormatWriter.CONTENT_TYPE).build();
    }
}
