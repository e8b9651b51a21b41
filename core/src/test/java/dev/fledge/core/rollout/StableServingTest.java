package dev.fledge.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.api.status.ServingStatus;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The stable track keeps the serving configuration it was promoted with until the next promotion; a configuration
 * change is a rollout; a new version while promoting puts stable back to the recorded configuration (issue 14,
 * items 1 and 7).
 */
class StableServingTest {

    static ServingStatus serving(String version, String image) {
        ServingStatus s = new ServingStatus();
        s.setVersion(version);
        s.setImage(image);
        s.setConfigHash("hash-" + image);
        return s;
    }

    static Plan plan(String version, String image) {
        return Rollout.plan(version).withServing(serving(version, image));
    }

    /** A release whose first version, served by image {@code a}, is promoted. */
    static Rollout promoted() {
        Rollout r = new Rollout(plan("1.0.0", "a"));
        r.ready();
        while (r.status.getCanaryVersion() != null) {
            r.after(Duration.ofMinutes(31));
        }
        assertThat(r.status.getPhase()).isEqualTo(Phase.PROMOTED);
        return r;
    }

    /** Walks the rollout through its stages until it is promoting, with a stable Deployment that is never ready. */
    static void untilPromoting(Rollout r) {
        r.ready();
        for (int i = 0; i < 20 && !"promoting".equals(r.status.getStage()); i++) {
            r.after(Duration.ofMinutes(31), Observation.of(true, false));
        }
        assertThat(r.status.getStage()).isEqualTo("promoting");
    }

    @Test
    void theFirstPromotionRecordsTheServingConfiguration() {
        Rollout r = promoted();

        assertThat(r.status.getStable().getConfigHash()).isEqualTo("hash-a");
        assertThat(r.status.getStable().getVersion()).isEqualTo("1.0.0");
        assertThat(r.status.getCanaryConfigHash()).isNull();
    }

    @Test
    void aNewVersionAndImageReachStableOnlyAtPromotion() {
        Rollout r = promoted();
        r.plan = plan("2.0.0", "b");
        Decision d = r.ready();
        assertThat(d.status().getCanaryConfigHash()).isEqualTo("hash-b");

        while (!"promoting".equals(d.status().getStage())) {
            assertThat(d.split().stableVersion()).isEqualTo("1.0.0");
            assertThat(d.split().stableServing().getConfigHash()).isEqualTo("hash-a");
            assertThat(d.status().getStable().getConfigHash()).isEqualTo("hash-a");
            d = r.after(Duration.ofMinutes(11));
        }
        assertThat(d.split().stableVersion()).isEqualTo("2.0.0");
        assertThat(d.split().stableServing())
                .as("promoting: stable takes the canary's configuration")
                .isNull();

        d = r.after(Duration.ofSeconds(5));
        assertThat(d.status().getPhase()).isEqualTo(Phase.PROMOTED);
        assertThat(d.status().getStable().getConfigHash()).isEqualTo("hash-b");
        assertThat(d.split().stableServing().getVersion()).isEqualTo("2.0.0");
    }

    @Test
    void aConfigurationChangeWithoutANewVersionStartsARollout() {
        Rollout r = promoted();
        r.plan = plan("1.0.0", "b");

        Decision d = r.ready();

        assertThat(d.status().getPhase()).isEqualTo(Phase.PROGRESSING);
        assertThat(d.status().getStage()).isEqualTo("internal");
        assertThat(d.status().getCanaryVersion()).isEqualTo("1.0.0");
        assertThat(d.status().getCanaryConfigHash()).isEqualTo("hash-b");
        assertThat(d.split().stableServing().getConfigHash()).isEqualTo("hash-a");
        assertThat(d.events())
                .anySatisfy(e -> assertThat(e.message()).contains("1.0.0 with a new serving configuration"));
    }

    @Test
    void aConfigurationChangeMidRolloutRestartsIt() {
        Rollout r = promoted();
        r.plan = plan("2.0.0", "b");
        r.ready();
        r.ready();
        assertThat(r.status.getStage()).isEqualTo("internal");

        r.plan = plan("2.0.0", "c");
        Decision d = r.after(Duration.ofSeconds(5), Observation.of(false, true));

        assertThat(d.status().getStage()).isEqualTo("preflight");
        assertThat(d.status().getCanaryConfigHash()).isEqualTo("hash-c");
        assertThat(d.events()).anySatisfy(e -> assertThat(e.reason()).isEqualTo(EventReason.RolloutRestarted));
    }

    @Test
    void aRolledBackConfigurationStaysRolledBackAndAnotherOneOfTheSameVersionRollsOut() {
        Rollout r = promoted();
        r.plan = plan("2.0.0", "b");
        r.ready();
        r.step(Observation.of(true, true).withAction(ManualAction.ABORT));
        assertThat(r.status.getPhase()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(r.status.getRolledBackConfigHash()).isEqualTo("hash-b");
        assertThat(r.status.getStable().getConfigHash()).isEqualTo("hash-a");

        assertThat(r.after(Duration.ofMinutes(1)).status().getPhase()).isEqualTo(Phase.ROLLED_BACK);

        r.plan = plan("2.0.0", "c");
        Decision d = r.after(Duration.ofMinutes(1));
        assertThat(d.status().getPhase()).isEqualTo(Phase.PROGRESSING);
        assertThat(d.status().getCanaryConfigHash()).isEqualTo("hash-c");
    }

    @Test
    void aNewVersionWhilePromotingPutsStableBackToTheRecordedConfiguration() {
        Rollout r = promoted();
        r.plan = plan("2.0.0", "b");
        untilPromoting(r);
        assertThat(Splits.of(r.status).stableVersion()).isEqualTo("2.0.0");

        r.plan = plan("3.0.0", "b");
        Decision d = r.after(Duration.ofSeconds(5), Observation.of(false, false));

        assertThat(d.status().getStableVersion()).isEqualTo("1.0.0");
        assertThat(d.status().getStage()).isEqualTo("preflight");
        assertThat(d.split().stableVersion()).isEqualTo("1.0.0");
        assertThat(d.split().stableServing().getConfigHash()).isEqualTo("hash-a");
        assertThat(ServingIdentity.stableWanted(d.status())).isEqualTo(new ServingIdentity("1.0.0", "hash-a"));
        assertThat(d.events())
                .anySatisfy(
                        e -> assertThat(e.message()).contains("the stable Deployment goes back to the recorded 1.0.0"));
    }

    @Test
    void aStatusFromBeforeStatusStableRecordsTheSpecsConfigurationWithoutARollout() {
        Rollout r = new Rollout(plan("1.0.0", "a"));
        r.status = new ModelReleaseStatus().withPhase(Phase.PROMOTED).withStableVersion("1.0.0");

        Decision d = r.ready();

        assertThat(d.status().getPhase()).isEqualTo(Phase.PROMOTED);
        assertThat(d.status().getCanaryVersion()).isNull();
        assertThat(d.status().getStable().getConfigHash()).isEqualTo("hash-a");
    }

    @Test
    void aRolloutFromBeforeConfigHashesGoesOnWithoutARestart() {
        Rollout r = promoted();
        r.plan = plan("2.0.0", "b");
        r.ready();
        r.ready();
        assertThat(r.status.getStage()).isEqualTo("internal");
        r.status.setCanaryConfigHash(null); // as an older operator wrote it

        Decision d = r.after(Duration.ofSeconds(5));

        assertThat(d.status().getStage()).isEqualTo("internal");
        assertThat(d.status().getCanaryConfigHash()).isEqualTo("hash-b");
        assertThat(d.events()).noneSatisfy(e -> assertThat(e.reason()).isEqualTo(EventReason.RolloutRestarted));
    }

    @Test
    void anAbortWhilePromotingPutsStableBackToTheRecordedConfiguration() {
        Rollout r = promoted();
        r.plan = plan("2.0.0", "b");
        untilPromoting(r);
        assertThat(Splits.of(r.status).stableServing())
                .as("promoting: stable takes the canary's")
                .isNull();

        Decision d = r.after(Duration.ofSeconds(5), Observation.of(true, false).withAction(ManualAction.ABORT));

        assertThat(d.status().getPhase()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(d.reason()).isEqualTo(ConditionReason.Aborted);
        assertThat(d.status().getRolledBackVersion()).isEqualTo("2.0.0");
        assertThat(d.status().getRolledBackConfigHash()).isEqualTo("hash-b");
        assertThat(d.split().canaryRunning()).isFalse();
        assertThat(ServingIdentity.stableWanted(d.status())).isEqualTo(new ServingIdentity("1.0.0", "hash-a"));
        assertThat(d.split().stableServing().getImage()).isEqualTo("a");
        assertThat(r.after(Duration.ofMinutes(1)).status().getPhase())
                .as("the aborted version stays rolled back")
                .isEqualTo(Phase.ROLLED_BACK);
    }

    @Test
    void anAbortAfterThePromotionStalledRollsBack() {
        Rollout r = promoted();
        r.plan = plan("2.0.0", "b");
        untilPromoting(r);
        Decision stalled = r.after(Duration.ofHours(25), Observation.of(true, false));
        assertThat(stalled.reason()).isEqualTo(ConditionReason.PromotionStalled);

        Decision d = r.after(Duration.ofSeconds(5), Observation.of(true, false).withAction(ManualAction.ABORT));

        assertThat(d.status().getPhase()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(ServingIdentity.stableWanted(d.status())).isEqualTo(new ServingIdentity("1.0.0", "hash-a"));
    }

    @Test
    void anAbortWhilePromotingAnInvalidSpecRollsBackToo() {
        Rollout r = promoted();
        r.plan = plan("2.0.0", "b");
        untilPromoting(r);

        Decision d = r.after(
                Duration.ofSeconds(5),
                Observation.invalid(java.util.List.of("spec.server.template: not allowed"))
                        .withRequestedAction("abort", "7"));

        assertThat(d.status().getRolledBackVersion()).isEqualTo("2.0.0");
        assertThat(d.status().getCanaryVersion()).isNull();
        assertThat(ServingIdentity.stableWanted(d.status())).isEqualTo(new ServingIdentity("1.0.0", "hash-a"));
        assertThat(d.events()).extracting(RolloutEvent::reason).contains(EventReason.Aborted);
    }

    @Test
    void aFirstReleaseWhilePromotingIgnoresAnAbortItHasNoStableFor() {
        Rollout r = new Rollout(plan("1.0.0", "a"));
        r.ready();
        r.after(Duration.ofSeconds(1), Observation.of(true, false).withAction(ManualAction.PROMOTE));
        assertThat(r.status.getStage()).isEqualTo("promoting");

        Decision d = r.after(Duration.ofSeconds(1), Observation.of(true, false).withAction(ManualAction.ABORT));

        assertThat(d.status().getStage()).isEqualTo("promoting");
        assertThat(d.status().getPhase()).isEqualTo(Phase.PROGRESSING);
        assertThat(d.events())
                .anySatisfy(e -> assertThat(e.message()).contains("first release: there is no stable to go back to"));
    }
}
