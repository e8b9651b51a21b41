package dev.fledge.server.api.infer;

import dev.fledge.server.api.ApiException;
import dev.fledge.server.api.JsonBodies;
import dev.fledge.server.api.MeteredRequests;
import dev.fledge.server.api.ServedModels;
import dev.fledge.server.fault.FaultInjector;
import dev.fledge.server.feedback.IssuedResponses;
import dev.fledge.server.metrics.Audience;
import dev.fledge.server.model.TensorModel;
import dev.fledge.server.tensor.TensorBatch;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** {@code POST /v2/models/{name}/infer}: the Open Inference Protocol for a tensor model (the MLP). */
@Path("/v2/models/{name}/infer")
public class InferResource {
    private final JsonBodies json;
    private final ServedModels models;
    private final TensorDecoder decoder = new TensorDecoder();
    private final MeteredRequests metered;
    private final IssuedResponses ids;
    private final FaultInjector faults;

    public InferResource(
            JsonBodies json, ServedModels models, MeteredRequests metered, IssuedResponses ids, FaultInjector faults) {
        this.json = json;
        this.models = models;
        this.metered = metered;
        this.ids = ids;
        this.faults = faults;
    }

    @POST
    @Produces(MediaType.APPLICATION_JSON)
    public InferResponse infer(
            @PathParam("name") String name, String body, @HeaderParam(Audience.HEADER) String audienceHeader) {
        Audience audience = Audience.fromHeader(audienceHeader);
        return metered.run(audience, () -> {
            TensorModel model = models.tensor(name);
            InferRequest request = json.parse(body, InferRequest.class);
            if (request.inputs() == null || request.inputs().size() != 1) {
                throw ApiException.invalid("field 'inputs' must hold exactly one tensor");
            }
            TensorBatch input = decoder.decode(request.inputs().get(0), model.inputs());
            TensorBatch output = model.infer(input, faults::apply);
            String id = request.id() != null ? request.id() : ids.issue("infer", audience);
            return MeteredRequests.Result.success(new InferResponse(
                    models.name(),
                    models.version(),
                    id,
                    List.of(new InferResponse.Output(
                            "output-0", List.of(output.rows(), output.columns()), "FP32", output.data()))));
        });
    }
}
