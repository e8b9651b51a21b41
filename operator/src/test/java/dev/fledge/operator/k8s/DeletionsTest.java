package dev.fledge.operator.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.controller.ResourceEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a release's events tell the operator to forget. */
class DeletionsTest {
    private final List<String> forgotten = new ArrayList<>();
    private final Deletions deletions =
            new Deletions(mr -> forgotten.add(mr.getMetadata().getUid()), id -> Optional.empty());

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
        Deletions failing = new Deletions(
                mr -> {
                    throw new IllegalStateException("boom");
                },
                id -> Optional.empty());

        failing.onResourceDeleted(release("uid-1")); // the informer's thread goes on
    }

    @Test
    void aReleaseInTheCacheUnderADeletedOnesNameIsWokenWithAResourceEvent() {
        ModelRelease made = release("uid-2");
        List<Event> sent = new ArrayList<>();
        Deletions waking = new Deletions(mr -> {}, id -> Optional.of(made));
        waking.setEventHandler(sent::add);
        waking.start();
        try {
            waking.wake(ResourceID.fromResource(made));
        } finally {
            waking.stop();
        }

        // JOSDK drops an event of another kind for a name it keeps nothing for
        assertThat(sent)
                .singleElement()
                .isInstanceOfSatisfying(
                        ResourceEvent.class, e -> assertThat(e.getResource()).contains(made));
    }

    @Test
    void noReleaseUnderTheNameNoEvent() {
        List<Event> sent = new ArrayList<>();
        Deletions waking = new Deletions(mr -> {}, id -> Optional.empty());
        waking.setEventHandler(sent::add);
        waking.start();
        try {
            waking.wake(new ResourceID("assistant", "ml"));
        } finally {
            waking.stop();
        }

        assertThat(sent).isEmpty();
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
