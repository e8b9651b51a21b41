package dev.fledge.operator.gates.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.spec.SafetySpec;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.StageRecord;
import dev.fledge.operator.gates.DeferredReads;
import dev.fledge.operator.gates.FairWorkers;
import dev.fledge.operator.gates.GateContext;
import dev.fledge.operator.gates.metric.MetricsBackend;
import dev.fledge.operator.gates.metric.QueryResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The safety gate's online evidence, read off the reconcile thread as the operator wires it. */
class LiveReaderTest {
    final FairWorkers workers = new FairWorkers(2, 1, "test-read");
    final DeferredReads reads = new DeferredReads(workers, Clock.systemUTC(), release -> {});
    final List<String> queries = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        workers.close();
    }

    @Test
    void theWindowRunsToWhenTheReaderSendsTheQueriesNotToWhenThePassAsked() throws Exception {
        MetricsBackend metrics = q -> {
            queries.add(q);
            return new QueryResult.Value(0);
        };
        GateContext ctx = SafetyGateTest.ctx(new SafetySpec().withOnline(true), "internal"); // stage began 600 s ago
        CountDownLatch busy = new CountDownLatch(1);
        workers.submit("ml", () -> block(busy)); // the namespace's one reader is taken for 3 s
        LiveReader live = LiveReader.deferred(metrics, reads);

        assertThat(live.read(ctx, "safety", List.of())).isEmpty();
        Thread.sleep(3000);
        busy.countDown();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> live.read(ctx, "safety", List.of()).isPresent());

        Matcher range = Pattern.compile("\\[(\\d+)s]").matcher(queries.get(0));
        assertThat(range.find()).isTrue();
        assertThat(Long.parseLong(range.group(1)))
                .as("Prometheus evaluates the range when the query is sent: it must reach back to the stage's start")
                .isGreaterThanOrEqualTo(602);
    }

    @Test
    void theRangeReachesTwoScrapeIntervalsBeforeTheStagesStartRoundedUp() {
        GateContext ctx = SafetyGateTest.ctx(new SafetySpec().withOnline(true), "internal");
        Instant stageStart = Instant.parse(ctx.release().getStatus().getStageStartedAt());

        assertThat(ranges(
                        Duration.ofSeconds(15),
                        ctx.withNow(stageStart.plusSeconds(600).plusMillis(300))))
                .as("30 s before the stage's start to 600.3 s after it: the last sample from before the stage is in"
                        + " every range, even with one scrape missed, so a step between it and the stage's first"
                        + " sample counts")
                .containsOnly("[631s]");
        assertThat(ranges(Duration.ofSeconds(15), ctx.withNow(stageStart.plusSeconds(600))))
                .containsOnly("[630s]");
        assertThat(ranges(Duration.ZERO, ctx.withNow(stageStart.plusSeconds(600).plusMillis(300))))
                .as("a backend whose samples are not scraped: from the stage's start")
                .containsOnly("[601s]");
        assertThat(ranges(Duration.ofSeconds(15), ctx.withNow(stageStart.minusSeconds(40))))
                .as("a stage start ahead of this clock: the shortest range, not a negative one")
                .containsOnly("[1s]");
    }

    /**
     * A stage starts once its routes carry it ({@code status.stageStartedAt}); outputs users got while it waited for
     * them count, so the window runs from the stage's entry ({@code status.history}): a critical flag between a reading
     * during the wait and the start would otherwise fall between two windows. On the old code: [630s].
     */
    @Test
    void theRangeReachesBackToTheStagesEntryNotOnlyToItsStartAfterTheRouteWait() {
        GateContext ctx = SafetyGateTest.ctx(new SafetySpec().withOnline(true), "internal");
        ModelReleaseStatus st = ctx.release().getStatus();
        Instant stageStart = Instant.parse(st.getStageStartedAt());
        st.setStage("internal");
        st.setCanaryVersion("2.0.0");
        st.setHistory(new ArrayList<>(List.of(
                new StageRecord()
                        .withStage("internal")
                        .withVersion("1.9.0")
                        .withEnteredAt(stageStart.minusSeconds(900).toString())
                        .withLeftAt(stageStart.minusSeconds(800).toString())
                        .withResult("Failed"),
                new StageRecord()
                        .withStage("preflight")
                        .withVersion("2.0.0")
                        .withEnteredAt(stageStart.minusSeconds(300).toString())
                        .withLeftAt(stageStart.minusSeconds(120).toString())
                        .withResult("Passed"),
                new StageRecord()
                        .withStage("internal")
                        .withVersion("2.0.0")
                        .withEnteredAt(stageStart.minusSeconds(120).toString()))));

        assertThat(ranges(Duration.ofSeconds(15), ctx.withNow(stageStart.plusSeconds(600))))
                .as("30 s before the entry, 120 s before the start, to 600 s after the start")
                .containsOnly("[750s]");
        st.getHistory().get(2).withLeftAt(stageStart.toString()).withResult("Skipped");
        assertThat(ranges(Duration.ofSeconds(15), ctx.withNow(stageStart.plusSeconds(600))))
                .as("no open record of this stage and version: from its start")
                .containsOnly("[630s]");
    }

    /** The ranges of the queries of one reading at {@code ctx}, with a backend scraped every {@code interval}. */
    private List<String> ranges(Duration interval, GateContext ctx) {
        List<String> sent = new CopyOnWriteArrayList<>();
        MetricsBackend metrics = new MetricsBackend() {
            @Override
            public QueryResult query(String promql) {
                sent.add(promql);
                return new QueryResult.Value(0);
            }

            @Override
            public Duration scrapeInterval() {
                return interval;
            }
        };
        assertThat(LiveReader.direct(metrics).read(ctx, "safety", List.of("violence")))
                .hasValueSatisfying(r -> assertThat(r.problem()).isNull());
        assertThat(sent).hasSize(3);
        return sent.stream()
                .map(q -> {
                    Matcher m = Pattern.compile("\\[(\\d+s)]").matcher(q);
                    assertThat(m.find()).as(q).isTrue();
                    // the start the range's new series are told apart at is the range's own
                    Matcher offset = Pattern.compile(" offset (\\d+s)\\)").matcher(q);
                    assertThat(offset.find()).as(q).isTrue();
                    assertThat(offset.group(1)).as(q).isEqualTo(m.group(1));
                    return m.group();
                })
                .toList();
    }

    @Test
    void aReadingThatThrowsIsAProblemNotASilentPass() {
        MetricsBackend metrics = q -> {
            throw new IllegalStateException("boom");
        };
        GateContext ctx = SafetyGateTest.ctx(new SafetySpec().withOnline(true), "internal");
        LiveReader live = LiveReader.deferred(metrics, reads);
        live.read(ctx, "safety", List.of());
        await().atMost(Duration.ofSeconds(5))
                .until(() -> live.read(ctx, "safety", List.of()).isPresent());
        Optional<LiveOutputs.Reading> reading = live.read(ctx, "safety", List.of());
        assertThat(reading.orElseThrow().problem()).contains("could not be read", "boom");
    }

    private static void block(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
