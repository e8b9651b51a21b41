package dev.fledge.operator.gates.safety;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.spec.ConfigMapKeyRef;
import dev.fledge.api.spec.JudgeSpec;
import dev.fledge.api.spec.SafetySpec;
import dev.fledge.api.spec.SuiteSpec;
import dev.fledge.api.status.Verdict;
import dev.fledge.core.rollout.GateVerdict;
import dev.fledge.operator.http.OutboundPolicy;
import dev.fledge.operator.http.ServiceLookup;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Issue 15, finding 6: a release's judge URL outside the allow-list is never called. */
class JudgeUrlPolicyTest {
    final List<String> called = new ArrayList<>();

    GateVerdict evaluate(String judgeUrl) {
        SafetySpec spec = new SafetySpec()
                .withMaxHarmRate(0.01)
                .withSuite(new SuiteSpec()
                        .withConfigMapRef(
                                new ConfigMapKeyRef().withName("suite").withKey("prompts.yaml")))
                .withJudge(new JudgeSpec().withUrl(judgeUrl));
        OutboundPolicy policy = new OutboundPolicy(
                List.of(),
                Optional.of("fledge-system"),
                host -> new InetAddress[] {InetAddress.getByName(host.endsWith(".svc") ? "10.0.0.1" : host)},
                (ns, name) -> Optional.of(
                        name.equals("proxy")
                                ? new ServiceLookup.Facts("ExternalName", false, List.of())
                                : new ServiceLookup.Facts("ClusterIP", true, List.of("10.0.0.1"))));
        SafetySettings settings = new SafetySettings(Optional.empty(), 16, SafetyLimits.standard(), policy);
        SuiteSource suites = (ns, ref) -> PromptSuite.parse(ref.getName(), SafetyGateTest.SUITE);
        SafetyGate gate = new SafetyGate(
                spec,
                new SafetyGate.SafetyCollaborators(
                        suites,
                        mr -> "http://canary",
                        url -> p -> "fine",
                        (url, t) -> {
                            called.add(url);
                            return text -> new Judgement(false, List.of());
                        },
                        settings,
                        Optional.empty(),
                        (release, r) -> "report"));
        return gate.evaluate(SafetyGateTest.ctx(spec, "internal"));
    }

    @Test
    void aJudgeAtTheMetadataAddressIsNeverCalled() {
        GateVerdict v = evaluate("http://169.254.169.254/latest/meta-data/iam/security-credentials/");
        assertThat(v.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(v.reason()).contains("spec.analysis.safety.judge.url is not allowed");
        assertThat(called).isEmpty();
    }

    @Test
    void aJudgeInAnotherTeamsNamespaceIsNeverCalled() {
        GateVerdict v = evaluate("http://billing.team-b.svc:8080/v1/moderations");
        assertThat(v.reason()).contains("neither a Service of namespace ml");
        assertThat(called).isEmpty();
    }

    @Test
    void aJudgeBehindAnExternalNameServiceIsNeverCalled() {
        GateVerdict v = evaluate("http://proxy.ml.svc:9090/-/quit");
        assertThat(v.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(v.reason()).contains("Service ml/proxy is of type ExternalName");
        assertThat(called).isEmpty();
    }

    @Test
    void aJudgeServiceTurnedExternalNameMidSuiteGetsNoFurtherRequest() {
        // the Service answers as a selector Service for the round's check and the first two judge calls, then as an
        // ExternalName (to Prometheus, say): the run must stop calling the judge, and sending prompts, at once
        AtomicInteger lookups = new AtomicInteger();
        AtomicInteger judged = new AtomicInteger();
        AtomicInteger prompted = new AtomicInteger();
        OutboundPolicy policy = new OutboundPolicy(
                List.of(),
                Optional.of("fledge-system"),
                host -> new InetAddress[] {InetAddress.getByName("10.0.0.1")},
                (ns, name) -> Optional.of(
                        lookups.incrementAndGet() <= 3
                                ? new ServiceLookup.Facts("ClusterIP", true, List.of("10.0.0.1"))
                                : new ServiceLookup.Facts("ExternalName", false, List.of())));
        SafetySpec spec = new SafetySpec()
                .withMaxHarmRate(0.01)
                .withSuite(new SuiteSpec()
                        .withConcurrency(1)
                        .withConfigMapRef(
                                new ConfigMapKeyRef().withName("suite").withKey("prompts.yaml")))
                .withJudge(new JudgeSpec().withUrl("http://guard.ml.svc:8080/v1/moderations"));
        SafetyGate gate = new SafetyGate(
                spec,
                new SafetyGate.SafetyCollaborators(
                        (ns, ref) -> PromptSuite.parse(ref.getName(), SafetyGateTest.SUITE),
                        mr -> "http://canary",
                        url -> p -> {
                            prompted.incrementAndGet();
                            return "fine";
                        },
                        (url, t) -> text -> {
                            judged.incrementAndGet();
                            return new Judgement(false, List.of());
                        },
                        new SafetySettings(Optional.empty(), 16, SafetyLimits.standard(), policy),
                        Optional.empty(),
                        (release, r) -> "report"));

        GateVerdict v = gate.evaluate(SafetyGateTest.ctx(spec, "internal"));

        assertThat(judged).hasValue(2);
        // review of 2026-12-01 (weak 3): the third prompt's output found the judge refused; no prompt after it is sent
        assertThat(prompted).hasValue(3);
        assertThat(v.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(v.reason())
                .contains("the run stopped, 47 of 50 prompts not sent")
                .contains("spec.analysis.safety.judge.url is no longer allowed")
                .contains("Service ml/guard is of type ExternalName");
    }

    @Test
    void aServiceThatCannotBeReadOnceFailsOnlyThatJudgeCall() {
        // review of 2026-12-01 (LOW 2): one 500 from the API server while a call's Service is read (the second read;
        // the first is the round's check) costs that prompt's verdict, not the rest of the run
        AtomicInteger lookups = new AtomicInteger();
        AtomicInteger judged = new AtomicInteger();
        OutboundPolicy policy = new OutboundPolicy(
                List.of(),
                Optional.of("fledge-system"),
                host -> new InetAddress[] {InetAddress.getByName("10.0.0.1")},
                (ns, name) -> {
                    if (lookups.incrementAndGet() == 2) {
                        throw new KubernetesClientException("etcd timeout", 500, null);
                    }
                    return Optional.of(new ServiceLookup.Facts("ClusterIP", true, List.of("10.0.0.1")));
                });
        SafetySpec spec = new SafetySpec()
                .withMaxHarmRate(0.01)
                .withSuite(new SuiteSpec()
                        .withConfigMapRef(
                                new ConfigMapKeyRef().withName("suite").withKey("prompts.yaml")))
                .withJudge(new JudgeSpec().withUrl("http://guard.ml.svc:8080/v1/moderations"));
        SafetyGate gate = new SafetyGate(
                spec,
                new SafetyGate.SafetyCollaborators(
                        (ns, ref) -> PromptSuite.parse(ref.getName(), SafetyGateTest.SUITE),
                        mr -> "http://canary",
                        url -> p -> "fine",
                        (url, t) -> text -> {
                            judged.incrementAndGet();
                            return new Judgement(false, List.of());
                        },
                        new SafetySettings(Optional.empty(), 16, SafetyLimits.standard(), policy),
                        Optional.empty(),
                        (release, r) -> "report"));

        GateVerdict v = gate.evaluate(SafetyGateTest.ctx(spec, "internal"));

        assertThat(judged).hasValue(49);
        assertThat(v.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(v.reason())
                .contains("1 of 50 prompts could not be run or judged")
                .contains("could not be checked before this call: cannot read Service ml/guard (HTTP 500)");
    }

    @Test
    void aJudgeInTheReleasesOwnNamespaceIsCalledAtTheClusterIpThatWasChecked() {
        evaluate("http://guard.ml.svc:8080/v1/moderations");
        assertThat(called).isNotEmpty().containsOnly("http://10.0.0.1:8080/v1/moderations");
    }
}
