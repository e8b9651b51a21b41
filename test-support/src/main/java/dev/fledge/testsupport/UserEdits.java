package dev.fledge.testsupport;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.function.UnaryOperator;

/**
 * A test's edit of an object the operator also writes (a ModelRelease's status), as a user's {@code kubectl edit}
 * would make it: the edit is conditional on the resourceVersion it read, so a 409 (the operator wrote in between) is
 * read again and retried, at most 10 times.
 */
public final class UserEdits {
    static final int ATTEMPTS = 10;

    private UserEdits() {}

    public static <T extends HasMetadata> T edit(Resource<T> resource, UnaryOperator<T> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                return resource.edit(change);
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }
}
