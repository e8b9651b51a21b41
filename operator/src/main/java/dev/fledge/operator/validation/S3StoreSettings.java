package dev.fledge.operator.validation;

import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.S3StoreSpec;
import dev.fledge.api.status.ServingStatus;
import dev.fledge.operator.workload.ModelStoreS3;
import dev.fledge.operator.workload.Names;
import java.util.function.Consumer;

/**
 * {@code spec.model.s3}, the S3 store of an {@code s3://} model ({@link ModelStoreS3}): only with an {@code s3://} URI
 * (the CRD's rule, re-checked for an object the API server stored without it); not with {@code spec.server.upstream},
 * whose own server loads the model, where the operator mounts nothing of the store; and its Secret not a release's
 * response-id key, which only the operator mounts, as {@link PodTemplatePolicy} holds templates to. Pure.
 */
final class S3StoreSettings {
    private static final String FIELD = "spec.model.s3";

    private S3StoreSettings() {}

    static void check(ModelReleaseSpec spec, Consumer<String> errors) {
        S3StoreSpec s3 = spec.getModel() == null ? null : spec.getModel().getS3();
        if (s3 == null) {
            return;
        }
        String uri = spec.getModel().getUri();
        if (uri == null || !uri.startsWith("s3://")) {
            // never the URI itself: it may carry a pre-signed token
            errors.accept(FIELD + ": model.s3 applies only to an s3:// uri (spec.model.uri)");
        }
        if (spec.getServer() != null && spec.getServer().getUpstream() != null) {
            errors.accept(FIELD + ": not with spec.server.upstream: your server loads the model there, not the Fledge"
                    + " container, which is the only one the operator gives the store's settings; give your server its"
                    + " store settings (endpoint, credentials from your Secret) in spec.server.template");
        }
        secretName(s3, FIELD, errors);
    }

    /** The recorded store of {@code status.stable}, which the status subresource stores as it is written. */
    static void recorded(ServingStatus serving, String path, Consumer<String> errors) {
        if (serving.getS3() != null) {
            secretName(serving.getS3(), path + ".s3", errors);
        }
    }

    private static void secretName(S3StoreSpec s3, String field, Consumer<String> errors) {
        if (Names.isFeedbackKey(s3.getSecretName())) {
            errors.accept(field + ".secretName: " + s3.getSecretName() + ": " + PodTemplatePolicy.KEY_REFUSAL);
        }
    }
}
