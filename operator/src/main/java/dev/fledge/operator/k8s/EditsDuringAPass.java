package dev.fledge.operator.k8s;

import dev.fledge.api.ModelRelease;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether a release was edited while a pass ran, so that the pass's end looks again at once.
 *
 * <p>The reconciler writes the status through JOSDK's {@code ResourceOperations}, which keeps the write's response as
 * the cached release and drops the watch events that are not newer than that write. An edit by someone else (spec,
 * labels, annotations such as {@code fledge.dev/action}) that the API server stored while the status write was in
 * flight is inside that response, and its own watch event is older than the write: JOSDK drops it, and no pass looked
 * at the edit until the next requeue (30 s after a promotion, up to 5 min otherwise). A CI run failed so: a new
 * version applied right after a promotion started 30 s late.
 */
public final class EditsDuringAPass {
    private EditsDuringAPass() {}

    /**
     * Whether {@code latest} (the release as the cache holds it after the pass, empty if gone) differs from the one the
     * pass began from in anything but its status: generation (the spec), labels, annotations or deletion.
     */
    public static boolean changed(ModelRelease began, Optional<ModelRelease> latest) {
        if (latest.isEmpty()) {
            return false;
        }
        ObjectMeta before = began.getMetadata();
        ObjectMeta now = latest.get().getMetadata();
        return !Objects.equals(before.getGeneration(), now.getGeneration())
                || !orEmpty(before.getLabels()).equals(orEmpty(now.getLabels()))
                || !annotations(before).equals(annotations(now))
                || !Objects.equals(before.getDeletionTimestamp(), now.getDeletionTimestamp());
    }

    private static Map<String, String> orEmpty(Map<String, String> m) {
        return m == null ? Map.of() : m;
    }

    /** Without kubectl's last-applied annotation, which the informer cache drops and a write's response carries. */
    private static Map<String, String> annotations(ObjectMeta meta) {
        Map<String, String> a = new HashMap<>(orEmpty(meta.getAnnotations()));
        a.remove(LeanItemStore.LAST_APPLIED);
        return a;
    }
}
