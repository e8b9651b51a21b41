package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import lombok.Getter;
import lombok.Setter;

/** Desired state of a ModelRelease. The operator never writes it: GitOps tools own it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value =
                "!has(self.stages) || !self.stages.exists(s, s.name == 'shadow') || (has(self.traffic) && has(self.traffic.gatewayAPI) && (!has(self.traffic.router) || self.traffic.router == 'gatewayAPI'))",
        message =
                "the shadow stage needs the gatewayAPI router (spec.traffic.gatewayAPI): only an HTTPRoute can mirror requests to the canary",
        fieldPath = ".stages")
@ValidationRule(
        value =
                "!has(self.stages) || !self.stages.exists(s, s.name == 'shadow') || (has(self.analysis) && has(self.analysis.safety))",
        message =
                "the shadow stage needs spec.analysis.safety: it passes on the judged outputs to mirrored requests, not on time",
        fieldPath = ".stages")
@ValidationRule(
        value =
                "!has(self.server) || (!has(self.server.canary) && !has(self.server.dynamicStableScale)) || (has(self.traffic) && has(self.traffic.gatewayAPI))",
        message =
                "server.canary and server.dynamicStableScale need the gatewayAPI router: the replicas router splits public traffic by replica counts, so the canary's size is its weight",
        fieldPath = ".server")
@ValidationRule(
        value =
                "!has(self.server) || !has(self.server.autoscaling) || (has(self.traffic) && has(self.traffic.gatewayAPI) && (!has(self.traffic.router) || self.traffic.router == 'gatewayAPI'))",
        message =
                "server.autoscaling needs the gatewayAPI router: the replicas router splits public traffic by replica counts, which an autoscaler changes",
        fieldPath = ".server")
@ValidationRule(
        value = "!has(oldSelf.server) || !has(oldSelf.server.autoscaling)"
                + " || (has(self.server) && (has(self.server.autoscaling) || has(self.server.replicas)))",
        message = "server.autoscaling can be removed only together with setting server.replicas: the size the tracks"
                + " then keep (without it they would drop to the default of 2 at once)",
        fieldPath = ".server")
@Getter
@Setter
public class ModelReleaseSpec {

    @JsonPropertyDescription("The model and the version to release. Changing model.version starts a rollout.")
    @Required
    private ModelSpec model;

    @JsonPropertyDescription(
            "How one version is served. Defaults: the Fledge model server image, 2 replicas, port 8080.")
    private ServerSpec server;

    @JsonPropertyDescription("How requests reach the stable and canary versions. Default: the replicas router.")
    private TrafficSpec traffic;

    @JsonPropertyDescription(
            "The stages a new version goes through, in the order shadow, internal, closed, public. Default: internal, closed and public (internal 10m, closed 30m, public steps [5, 25, 50, 100] of 10m each); shadow is opt-in. Leaving a stage out skips it.")
    @Size(min = 1, max = 4)
    @ValidationRule(value = "self.all(s, self.exists_one(t, t.name == s.name))", message = "stage names must be unique")
    @ValidationRule(
            value = "!self.exists(s, s.name == 'public') || self[size(self) - 1].name == 'public'",
            message = "the public stage must be the last stage")
    @ValidationRule(
            value =
                    "!(self.exists(s, s.name == 'internal') && self.exists(s, s.name == 'closed')) || self.filter(s, s.name != 'shadow')[0].name == 'internal'",
            message = "stages run in the order internal, closed, public")
    @ValidationRule(
            value = "!self.exists(s, s.name == 'shadow') || self[0].name == 'shadow'",
            message = "the shadow stage must be the first stage")
    private List<StageSpec> stages;

    @JsonPropertyDescription(
            "The gates a stage must pass: Prometheus metrics, the safety evaluation and user feedback. With no gates, a stage advances on time alone.")
    private AnalysisSpec analysis;

    @JsonPropertyDescription(
            "Maximum duration of a whole rollout (Go duration, e.g. 2h). A rollout past its deadline is rolled back. Default 2h.")
    @Pattern("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$")
    private String progressDeadline;

    @JsonPropertyDescription(
            "Holds the rollout where it is: no step forward, no promotion. Rollbacks on failed gates still happen. Default false.")
    private Boolean paused;

    @JsonPropertyDescription(
            "Webhooks notified of stage changes, promotions and rollbacks. The operator may also have a webhook of its own for every release (fledge.notifications.webhook-url).")
    private NotificationsSpec notifications;

    public ModelReleaseSpec withModel(ModelSpec model) {
        this.model = model;
        return this;
    }

    public ModelReleaseSpec withServer(ServerSpec server) {
        this.server = server;
        return this;
    }

    public ModelReleaseSpec withTraffic(TrafficSpec traffic) {
        this.traffic = traffic;
        return this;
    }

    public ModelReleaseSpec withStages(List<StageSpec> stages) {
        this.stages = stages;
        return this;
    }

    public ModelReleaseSpec withAnalysis(AnalysisSpec analysis) {
        this.analysis = analysis;
        return this;
    }

    public ModelReleaseSpec withProgressDeadline(String progressDeadline) {
        this.progressDeadline = progressDeadline;
        return this;
    }

    public ModelReleaseSpec withPaused(Boolean paused) {
        this.paused = paused;
        return this;
    }

    public ModelReleaseSpec withNotifications(NotificationsSpec notifications) {
        this.notifications = notifications;
        return this;
    }
}
