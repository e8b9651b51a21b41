package dev.fledge.operator.gates.metric;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.spec.MetricSpec;
import dev.fledge.api.spec.MetricTemplate;
import dev.fledge.api.spec.ServerProfile;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.status.Verdict;
import dev.fledge.core.rollout.GateVerdict;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every profile's built-in templates: what each server offers, and a template it cannot give is never a pass. */
class ProfileQueriesTest {
    static final Map<String, String> VARS = Map.of(
            "namespace",
            "ml",
            "release",
            "assistant",
            "canaryVersion",
            "2.0.0",
            "stableVersion",
            "1.0.0",
            "interval",
            "60s");

    FakePrometheus prom;

    @BeforeEach
    void start() throws IOException {
        prom = new FakePrometheus();
    }

    @AfterEach
    void stop() {
        prom.close();
    }

    @Test
    void eachServerOffersTheTemplatesItHasMetricsFor() {
        assertThat(offered(ServerProfile.FLEDGE)).containsExactly("error-rate", "latency-p99");
        assertThat(offered(ServerProfile.OPENAI)).containsExactly("error-rate", "latency-p99");
        assertThat(offered(ServerProfile.VLLM))
                .containsExactly("error-rate", "latency-p99", "ttft-p99", "tpot-p99", "queue-depth");
        assertThat(offered(ServerProfile.NIM))
                .containsExactly("error-rate", "latency-p99", "ttft-p99", "tpot-p99", "queue-depth");
        assertThat(offered(ServerProfile.TGI)).containsExactly("error-rate", "latency-p99", "tpot-p99", "queue-depth");
        assertThat(offered(ServerProfile.TRITON))
                .containsExactly("error-rate", "latency-p99", "ttft-p99", "queue-depth");
    }

    @Test
    void theFledgeAndOpenaiProfilesReadTheFledgeServersSeries() {
        for (ServerProfile p : new ServerProfile[] {ServerProfile.FLEDGE, ServerProfile.OPENAI}) {
            assertThat(ProfileQueries.of(p, MetricTemplate.ERROR_RATE)).contains(BuiltInQueries.ERROR_RATE);
            assertThat(ProfileQueries.of(p, MetricTemplate.LATENCY_P99)).contains(BuiltInQueries.LATENCY_P99);
        }
    }

    @Test
    void everyQuerySelectsTheCanarysTrackByTheLabelsTheScrapeAddsAndRendersWithTheKnownVariables() {
        for (ServerProfile p : ServerProfile.values()) {
            for (MetricTemplate t : MetricTemplate.values()) {
                ProfileQueries.of(p, t)
                        .ifPresent(q -> assertThat(new QueryTemplate(q).render(VARS))
                                .as("%s %s", p, t)
                                .contains("namespace=\"ml\",release=\"assistant\",track=\"canary\",version=\"2.0.0\"")
                                .doesNotContain("{{"));
            }
        }
    }

    @Test
    void theServersOwnUnitsBecomeSeconds() {
        assertThat(ProfileQueries.of(ServerProfile.TRITON, MetricTemplate.TTFT_P99)
                        .orElseThrow())
                .contains("nv_inference_first_response_histogram_ms_bucket")
                .endsWith(" / 1000");
        assertThat(ProfileQueries.of(ServerProfile.TRITON, MetricTemplate.LATENCY_P99)
                        .orElseThrow())
                .contains("nv_inference_request_summary_us")
                .endsWith(" / 1000000");
    }

    @Test
    void aReleaseWithoutAProfileIsFledge() {
        assertThat(ProfileQueries.profileOf(GateContexts.release().getSpec())).isEqualTo(ServerProfile.FLEDGE);
    }

    @Test
    void aTemplateTheServerHasNoMetricForIsInconclusiveNamingProfileAndTemplateAndNeverQueried() {
        MetricSpec ttft = new MetricSpec()
                .withName("ttft")
                .withTemplate(MetricTemplate.TTFT_P99)
                .withMax(0.5);
        var mr = GateContexts.release(ttft);
        mr.getSpec().withServer(new ServerSpec().withProfile(ServerProfile.TGI));
        prom.body = FakePrometheus.vector("0.1");

        GateVerdict v = new MetricGate(ttft, new HttpPrometheus(PrometheusSettings.of(prom.url())))
                .evaluate(GateContexts.closedStage(mr));

        assertThat(v.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(v.reason()).contains("server profile tgi", "template ttft-p99");
        assertThat(prom.queries).isEmpty();
    }

    @Test
    void theProfileChoosesTheQueryTheGateSends() {
        MetricSpec p99 = new MetricSpec()
                .withName("latency")
                .withTemplate(MetricTemplate.LATENCY_P99)
                .withMax(2.0);
        var mr = GateContexts.release(p99);
        mr.getSpec().withServer(new ServerSpec().withProfile(ServerProfile.VLLM));
        prom.body = FakePrometheus.vector("1.5");

        GateVerdict v = new MetricGate(p99, new HttpPrometheus(PrometheusSettings.of(prom.url())))
                .evaluate(GateContexts.closedStage(mr));

        assertThat(v.verdict()).isEqualTo(Verdict.PASS);
        assertThat(prom.queries).singleElement().asString().contains("vllm:e2e_request_latency_seconds_bucket");
    }

    static java.util.List<String> offered(ServerProfile p) {
        return java.util.Arrays.stream(MetricTemplate.values())
                .filter(t -> ProfileQueries.of(p, t).isPresent())
                .map(MetricTemplate::wireName)
                .toList();
    }
}
