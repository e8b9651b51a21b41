package dev.fledge.operator.validation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.spec.UpstreamSpec;
import dev.fledge.api.status.ServingStatus;
import dev.fledge.operator.workload.ServingPolicy;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link PodTemplatePolicy}, the spec's check, applied to a recorded serving configuration ({@code status.stable}):
 * its image against the operator's prefixes (the operator's default image, which a release that names none runs, is
 * the admin's and always allowed, as in the spec check), its template against the allow-list, label and annotation
 * keys, env names, mount paths and host paths, and what only the spec's CRD schema holds ({@link SchemaRules}: URI
 * scheme, port, name, version, checksum, an empty ephemeral storage class, host path types), and its S3 store's
 * Secret not a response-id key ({@link S3StoreSettings}). Errors name their field
 * under {@code status.stable}. Pure.
 *
 * @param pods         the operator's pod template policy, as the spec validator has it
 * @param defaultImage      the operator's default model-server image
 * @param defaultProxyImage the operator's default sidecar image ({@code spec.server.upstream}), allowed as the default
 *                          image is
 */
public record RecordedServingPolicy(PodTemplatePolicy pods, String defaultImage, String defaultProxyImage)
        implements ServingPolicy {
    private static final String SPEC = "spec.server";
    private static final String STATUS = "status.stable";
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /** The sidecar's default image is the model server's. */
    public RecordedServingPolicy(PodTemplatePolicy pods, String defaultImage) {
        this(pods, defaultImage, defaultImage);
    }

    @Override
    public List<String> refusals(ServingStatus serving) {
        ServerSpec server = new ServerSpec();
        server.setImage(
                serving.getImage() == null || serving.getImage().equals(defaultImage) ? null : serving.getImage());
        server.setTemplate(serving.getTemplate());
        if (serving.getUpstream() != null) {
            UpstreamSpec upstream = JSON.convertValue(serving.getUpstream(), UpstreamSpec.class);
            if (defaultProxyImage.equals(upstream.getProxyImage())) {
                upstream.setProxyImage(null);
            }
            server.setUpstream(upstream);
        }
        List<String> errors = new ArrayList<>();
        SchemaRules.serving(serving, STATUS, errors::add);
        S3StoreSettings.recorded(serving, STATUS, errors::add);
        pods.check(server, errors::add);
        return errors.stream()
                .map(e -> e.startsWith(SPEC) ? STATUS + e.substring(SPEC.length()) : e)
                .toList();
    }
}
