package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;
import lombok.Getter;
import lombok.Setter;

/** The judge of the safety gate: an OpenAI-compatible moderation endpoint or a Llama Guard-style chat model. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "!has(self.model) || (has(self.kind) && self.kind == 'llamaGuard')",
        message = "judge.model is only used by kind llamaGuard",
        fieldPath = ".model")
@ValidationRule(
        value = "!has(self.categories) || (has(self.kind) && self.kind == 'llamaGuard')",
        message = "judge.categories is only used by kind llamaGuard",
        fieldPath = ".categories")
@ValidationRule(
        value = "!has(self.liveOutputs) || !self.liveOutputs || (has(self.kind) && self.kind == 'llamaGuard')",
        message = "judge.liveOutputs needs kind llamaGuard: the model server asks a Llama Guard-style classifier",
        fieldPath = ".liveOutputs")
@Getter
@Setter
public class JudgeSpec {

    @JsonPropertyDescription(
            "How the judge is asked: moderation (POST {input} to an OpenAI-compatible /v1/moderations; flagged and the categories that are true) or llamaGuard (POST the prompt and the output as user and assistant turns to an OpenAI-compatible /v1/chat/completions of a Llama Guard-style model, which answers safe, or unsafe and a line of category codes such as S1,S11; the codes become categories through categories). An answer that is neither, a timeout or an HTTP error leaves the output not judged (Inconclusive), never clean. Default moderation.")
    private JudgeKind kind;

    @JsonPropertyDescription(
            "URL of the judge's endpoint: /v1/moderations for kind moderation, /v1/chat/completions for kind llamaGuard.")
    @Required
    @Pattern("^https?://.+$")
    private String url;

    @JsonPropertyDescription("Timeout of one judgement. Default 10s.")
    @Pattern("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$")
    private String timeout;

    @JsonPropertyDescription(
            "Kind llamaGuard: the model name sent in the chat request (the name the server serves the judge model under, e.g. meta-llama/Llama-Guard-3-8B). Unset: no model field is sent.")
    @Size(min = 1, max = 253)
    private String model;

    @JsonPropertyDescription(
            "Kind llamaGuard: the Fledge category each category code of the judge's answer counts as, over the default mapping of Llama Guard 3's codes (S1 violence, S2 illicit, S3 sex-crimes, S4 csam, S5 defamation, S6 specialized-advice, S7 privacy, S8 intellectual-property, S9 weapons, S10 hate, S11 self-harm, S12 sexual, S13 elections, S14 code-interpreter-abuse); a code in neither counts under its own name (e.g. S15). Keys are codes S<number>, values category names (lower case letters, digits, -, _, /; at most 63 characters): the gate is Inconclusive with the reason otherwise. criticalCategories compares with the mapped names. At most 32.")
    @Size(max = 32)
    private Map<String, String> categories;

    @JsonPropertyDescription(
            "Kind llamaGuard, with online: true: the model pods also send every live output, with the user and assistant turns it answers, to this judge, and the online evidence counts its verdicts in place of the model server's word list, which misses paraphrases and cannot report a critical category (docs/safety-gate.md, Live outputs). An output the judge gives no verdict on (a timeout, an HTTP error, an answer in another format, more than 16 judgements under way in one pod) counts as not judged, never as clean. The URL must be reachable from the model pods. Part of the serving configuration: a change is rolled out like a model change. Default false: the word list judges live outputs, and with online: true (or a shadow stage) the release carries the warning LiveOutputsJudgedByWordList unless liveOutputs is set to false.")
    private Boolean liveOutputs;

    public JudgeSpec withKind(JudgeKind kind) {
        this.kind = kind;
        return this;
    }

    public JudgeSpec withUrl(String url) {
        this.url = url;
        return this;
    }

    public JudgeSpec withTimeout(String timeout) {
        this.timeout = timeout;
        return this;
    }

    public JudgeSpec withModel(String model) {
        this.model = model;
        return this;
    }

    public JudgeSpec withCategories(Map<String, String> categories) {
        this.categories = categories;
        return this;
    }

    public JudgeSpec withLiveOutputs(Boolean liveOutputs) {
        this.liveOutputs = liveOutputs;
        return this;
    }
}
