package dev.fledge.operator.gates.safety;

import dev.fledge.operator.http.OutboundPolicy;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A release's own judge whose URL is checked against the operator's outbound policy before every call, not only once
 * per round (secreview 8, finding 3): a suite run lasts minutes, and the Service the URL names can meanwhile become an
 * ExternalName (say, to Prometheus) or lose its selector. Each call goes to the address that check verified (for an
 * http Service of the release's namespace, its cluster IP: {@link OutboundPolicy#permit}), never to a name resolved
 * again afterwards. A refused URL throws {@link JudgeRefused}, which ends the run; a Service that could not be read (an
 * API error) fails this call only, as a judge error would.
 */
final class RecheckedJudge implements Judge {
    private final Function<String, Judge> judgeAt;
    private final Supplier<OutboundPolicy.Permit> permit;

    /** {@code judgeAt} builds the judge for the URL to call; {@code permit} checks the judge URL now. */
    RecheckedJudge(Function<String, Judge> judgeAt, Supplier<OutboundPolicy.Permit> permit) {
        this.judgeAt = judgeAt;
        this.permit = permit;
    }

    @Override
    public Judgement judge(String text) {
        return checked().judge(text);
    }

    @Override
    public Judgement judge(List<ChatMessage> conversation, String output) {
        return checked().judge(conversation, output);
    }

    /** The judge at the address the policy allows now. */
    private Judge checked() {
        OutboundPolicy.Permit p = permit.get();
        if (p.unreadable()) {
            throw new ServiceCallFailed(
                    "spec.analysis.safety.judge.url could not be checked before this call: " + p.refusal());
        }
        if (!p.allowed()) {
            throw new JudgeRefused(
                    "spec.analysis.safety.judge.url is no longer allowed (checked before each call): " + p.refusal());
        }
        return judgeAt.apply(p.target());
    }
}
