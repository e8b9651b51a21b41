package dev.fledge.operator.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a release's events tell the operator to forget. */
class DeletionsTest {
    private final List<String> forgotten = new ArrayList<>();
    private final Deletions deletions =
            new Deletions(mr -> forgotten.add(mr.getMetadata().getUid()));

    @Test
    void aDeletedReleaseIsForgotten() {
        deletions.onResourceDeleted(release("uid-1"));

        assertThat(forgotten).containsExactly("uid-1");
    }

    @Test
    void aReleaseMadeAgainWhileTheWatchWasDownIsSeenAsAnUpdateAndTheOldOneIsForgotten() {
        deletions.onResourceUpdated(release("uid-2"), release("uid-1"));

        assertThat(forgotten).containsExactly("uid-1");
    }

    @Test
    void anUpdateOfTheSameReleaseForgetsNothing() {
        deletions.onResourceUpdated(release("uid-1"), release("uid-1"));
        deletions.onResourceCreated(release("uid-1"));

        assertThat(forgotten).isEmpty();
    }

    @Test
    void aFailureToForgetDoesNotReachTheInformer() {
        Deletions failing = new Deletions(mr -> {
            throw new IllegalStateException("boom");
        });

        failing.onResourceDeleted(release("uid-1")); // the informer's thread goes on
    }

    private static ModelRelease release(String uid) {
        ModelRelease r = new ModelRelease();
        r.setMetadata(new ObjectMetaBuilder()
                .withNamespace("ml")
                .withName("assistant")
                .withUid(uid)
                .build());
        return r;
    }
}
