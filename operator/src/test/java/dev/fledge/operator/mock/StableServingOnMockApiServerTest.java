package dev.fledge.operator.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.Labels;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The stable track keeps the serving configuration it was promoted with (status.stable) until the next promotion:
 * a spec edit reaches the canary only, and goes through the stages first.
 */
class StableServingOnMockApiServerTest extends StableServingFixture {
    @Test
    void aNewVersionAndImageInOneEditReachStableOnlyAtPromotion() {
        edit(mr -> {
            setVersion(mr, "2.0.0");
            mr.getSpec().setServer(new ServerSpec().withImage(NEW_IMAGE));
        });

        for (Predicate<ModelReleaseStatus> stage : List.<Predicate<ModelReleaseStatus>>of(
                s -> "internal".equals(s.getStage()),
                s -> "closed".equals(s.getStage()),
                s -> "public".equals(s.getStage()) && s.getCanaryWeight() == 100)) {
            awaitStatus(stage);
            assertThat(serving("assistant-stable")).isEqualTo(List.of("1.0.0", "file:///models/1.0.0", OLD_IMAGE));
            assertThat(serving("assistant-canary")).isEqualTo(List.of("2.0.0", "file:///models/2.0.0", NEW_IMAGE));
        }

        ModelReleaseStatus done =
                awaitStatus(s -> s.getPhase() == Phase.PROMOTED && "2.0.0".equals(s.getStableVersion()));
        assertThat(serving("assistant-stable")).isEqualTo(List.of("2.0.0", "file:///models/2.0.0", NEW_IMAGE));
        assertThat(done.getStable().getImage()).isEqualTo(NEW_IMAGE);
        assertThat(done.getStable().getVersion()).isEqualTo("2.0.0");
    }

    @Test
    void afterARollbackStableStillRunsTheOldImage() {
        edit(mr -> {
            setVersion(mr, "2.0.0");
            mr.getSpec().setServer(new ServerSpec().withImage(NEW_IMAGE));
        });
        awaitStatus(s -> "closed".equals(s.getStage()));
        edit(mr -> mr.getMetadata().getAnnotations().put(Labels.ACTION, "abort"));

        ModelReleaseStatus s = awaitStatus(st -> st.getPhase() == Phase.ROLLED_BACK);
        assertThat(s.getStableVersion()).isEqualTo("1.0.0");
        assertThat(s.getStable().getImage()).isEqualTo(OLD_IMAGE);
        assertThat(serving("assistant-stable")).isEqualTo(List.of("1.0.0", "file:///models/1.0.0", OLD_IMAGE));
    }

    @Test
    void anImageChangeWithoutANewVersionIsARolloutThroughTheStages() {
        edit(mr -> mr.getSpec().setServer(new ServerSpec().withImage(NEW_IMAGE)));

        ModelReleaseStatus internal = awaitStatus(s -> "internal".equals(s.getStage()));
        assertThat(internal.getCanaryVersion()).isEqualTo("1.0.0");
        assertThat(internal.getCanaryConfigHash())
                .isNotEqualTo(internal.getStable().getConfigHash());
        assertThat(serving("assistant-stable")).isEqualTo(List.of("1.0.0", "file:///models/1.0.0", OLD_IMAGE));
        assertThat(serving("assistant-canary")).isEqualTo(List.of("1.0.0", "file:///models/1.0.0", NEW_IMAGE));

        ModelReleaseStatus done = awaitStatus(s -> s.getPhase() == Phase.PROMOTED && s.getCanaryVersion() == null);
        assertThat(done.getStable().getImage()).isEqualTo(NEW_IMAGE);
        assertThat(serving("assistant-stable")).isEqualTo(List.of("1.0.0", "file:///models/1.0.0", NEW_IMAGE));
    }

    @Test
    void aReplicasChangeAppliesToStableAtOnceWithoutARollout() {
        edit(mr -> mr.getSpec().setServer(new ServerSpec().withReplicas(3)));

        await().atMost(Duration.ofSeconds(20))
                .until(() -> deployment("assistant-stable").getSpec().getReplicas() == 3);
        ModelReleaseStatus s = current().getStatus();
        assertThat(s.getPhase()).isEqualTo(Phase.PROMOTED);
        assertThat(s.getCanaryVersion()).isNull();
    }

    @Test
    void aNewVersionWhilePromotingPutsStableBackToTheRecordedConfiguration() {
        promoting2WithNewImageThatNeverGetsReady();

        edit(mr -> setVersion(mr, "3.0.0"));

        ModelReleaseStatus s = awaitStatus(st -> "3.0.0".equals(st.getCanaryVersion()));
        assertThat(s.getStableVersion()).isEqualTo("1.0.0");
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(serving("assistant-stable"))
                        .isEqualTo(List.of("1.0.0", "file:///models/1.0.0", OLD_IMAGE)));
        assertThat(serving("assistant-canary"))
                .as("the old canary keeps serving (public 100%) until stable is back and ready")
                .isEqualTo(List.of("2.0.0", "file:///models/2.0.0", NEW_IMAGE));
        markReady("assistant-stable");
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(serving("assistant-canary"))
                        .isEqualTo(List.of("3.0.0", "file:///models/3.0.0", NEW_IMAGE)));
        assertThat(current().getStatus().getStableVersion()).isEqualTo("1.0.0");
    }

    @Test
    void anAbortWhilePromotingPutsStableBackToTheRecordedConfiguration() {
        promoting2WithNewImageThatNeverGetsReady();

        edit(mr -> mr.getMetadata().getAnnotations().put(Labels.ACTION, "abort"));

        ModelReleaseStatus s = awaitStatus(st -> st.getPhase() == Phase.ROLLED_BACK);
        assertThat(s.getStableVersion()).isEqualTo("1.0.0");
        assertThat(s.getRolledBackVersion()).isEqualTo("2.0.0");
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(serving("assistant-stable"))
                        .isEqualTo(List.of("1.0.0", "file:///models/1.0.0", OLD_IMAGE)));
    }

    @Test
    void anAbortWhilePromotingWithAnInvalidSpecPutsStableBackToTheRecordedConfigurationToo() {
        promoting2WithNewImageThatNeverGetsReady();
        // the first writes that would put stable back are refused (a webhook, a quota): later passes must retry them
        // (each DRIFT_RETRY after the last; two refusals prove the retry without four passes' wait)
        api.failNext(
                2,
                403,
                r -> "PATCH".equals(r.method())
                        && r.path().endsWith("/deployments/assistant-stable")
                        && r.body().contains(OLD_IMAGE));

        edit(mr -> {
            mr.getSpec().getTraffic().setScaleDownDelay("2h"); // invalid: at most 1h
            mr.getMetadata().getAnnotations().put(Labels.ACTION, "abort");
        });

        ModelReleaseStatus s = awaitStatus(st -> "2.0.0".equals(st.getRolledBackVersion()));
        assertThat(s.getStableVersion()).isEqualTo("1.0.0");
        assertThat(s.getPhase()).isEqualTo(Phase.INVALID);
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(serving("assistant-stable"))
                        .as("the stable Deployment runs what the status says it does, although the spec is invalid")
                        .isEqualTo(List.of("1.0.0", "file:///models/1.0.0", OLD_IMAGE)));
        assertThat(api.failuresServed())
                .as("stable's first writes were refused")
                .isPositive();
    }

    /**
     * Review of h9a, HIGH 1: an edit of the stable Deployment that also drops its template revision looked like an
     * older operator's template, and was kept (scaled only) until the next promotion. The live template is now held to
     * what an operator builds, as a kept one is; one no operator built is rebuilt from the recorded configuration.
     */
    @Test
    void aStableTemplateEditedToLookOlderIsNotKeptWhenNoOperatorBuiltIt() {
        upgradeFromAnOperatorWithAnOlderTemplate(mr -> {});
        await().atMost(Duration.ofSeconds(20))
                .until(() -> templateKept(current().getStatus()).isPresent());

        client.apps()
                .deployments()
                .inNamespace(Releases.NS)
                .withName("assistant-stable")
                .edit(d -> {
                    d.getSpec()
                            .getTemplate()
                            .getSpec()
                            .getContainers()
                            .get(0)
                            .getSecurityContext()
                            .setPrivileged(true);
                    return d;
                });
        edit(mr -> mr.getMetadata().getAnnotations().put("poke", "1"));

        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(deployment("assistant-stable")
                                .getSpec()
                                .getTemplate()
                                .getSpec()
                                .getContainers()
                                .get(0)
                                .getSecurityContext()
                                .getPrivileged())
                        .as("rebuilt from the recorded configuration")
                        .isNotEqualTo(Boolean.TRUE));
        assertThat(envNames("assistant-stable")).contains(Releases.OLDER_TEMPLATE_LACKS);
        assertThat(current().getStatus().getStableVersion()).isEqualTo("1.0.0");
    }
}
