package dev.fledge.operator.validation;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.MetricSpec;
import dev.fledge.api.spec.MetricTemplate;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.PriorSpec;
import dev.fledge.api.spec.Router;
import dev.fledge.api.spec.ServerProfile;
import dev.fledge.api.spec.StageName;
import dev.fledge.api.spec.StageSpec;
import dev.fledge.core.rollout.GoDuration;
import dev.fledge.core.rollout.PlanResolver;
import dev.fledge.operator.gates.metric.ProfileQueries;
import dev.fledge.operator.workload.CanaryDrain;
import dev.fledge.operator.workload.Names;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Checks the schema cannot express, and re-checks what an object stored before a CRD upgrade may lack. Each error
 * names its field: {@code spec.stages[2].steps: ...}. Pure: the cluster checks live in the routers.
 */
public final class SpecValidator {
    /** The shortest {@code analysis.interval} (as in the CRD): each evaluation costs the shared operator and Prometheus work. */
    public static final Duration MIN_INTERVAL = Duration.ofSeconds(5);

    private final PodTemplatePolicy pods;
    private final RoutePolicy routes;
    private final Duration minInterval;

    /** No operator-side interval floor, any image, any Gateway: for tests that run fast intervals on a mock API server. */
    public SpecValidator() {
        this(PodTemplatePolicy.anyImage(), Duration.ZERO);
    }

    public SpecValidator(PodTemplatePolicy pods, Duration minInterval) {
        this(pods, RoutePolicy.any(), minInterval);
    }

    public SpecValidator(PodTemplatePolicy pods, RoutePolicy routes, Duration minInterval) {
        this.pods = pods;
        this.routes = routes;
        this.minInterval = minInterval;
    }

    public List<String> validate(ModelRelease mr) {
        List<String> errors = new ArrayList<>();
        String name = mr.getMetadata().getName();
        if (name.length() > Names.MAX_RELEASE_NAME) {
            errors.add("metadata.name: at most " + Names.MAX_RELEASE_NAME + " characters, so that " + name
                    + "-internal is a valid Service name");
        }
        ModelReleaseSpec spec = mr.getSpec();
        if (spec == null) {
            errors.add("spec: required");
            return errors;
        }
        if (spec.getModel() == null) {
            errors.add("spec.model: required");
        } else {
            if (blank(spec.getModel().getVersion())) {
                errors.add("spec.model.version: required");
            }
            if (blank(spec.getModel().getUri())) {
                errors.add("spec.model.uri: required");
            }
        }
        duration("spec.progressDeadline", spec.getProgressDeadline(), errors::add);
        if (spec.getAnalysis() != null) {
            duration("spec.analysis.interval", spec.getAnalysis().getInterval(), errors::add);
            interval(spec.getAnalysis().getInterval(), errors);
            if (spec.getAnalysis().getSafety() != null) {
                prior(spec.getAnalysis().getSafety().getPrior(), errors);
            }
        }
        pods.check(spec.getServer(), errors::add);
        ModelClaimVolumes.check(spec, errors::add);
        S3StoreSettings.check(spec, errors::add);
        capacity(spec, errors);
        autoscaling(spec, errors);
        templates(spec, errors);
        stages(spec.getStages(), errors);
        shadow(spec, errors);
        if (spec.getTraffic() != null) {
            scaleDownDelay(spec.getTraffic().getScaleDownDelay(), errors);
        }
        if (spec.getTraffic() != null
                && spec.getTraffic().getRouter() == Router.GATEWAY_API
                && spec.getTraffic().getGatewayAPI() == null) {
            errors.add("spec.traffic.gatewayAPI: required when router is gatewayAPI");
        }
        if (spec.getTraffic() != null && spec.getTraffic().getRouter() == Router.GATEWAY_API) {
            routes.check(mr, spec.getTraffic().getGatewayAPI(), errors::add);
        }
        return errors;
    }

    /**
     * {@code server.canary} and {@code server.dynamicStableScale}, as the CRD's rules hold them (a release stored before
     * they existed, or by an API server that skipped them): one of fixed replicas and matchTrafficWeight, no more
     * canary replicas than replicas, dynamicStableScale only with matchTrafficWeight, and both only under the
     * gatewayAPI router (the replicas router splits public traffic by replica counts: the canary's size is its weight).
     */
    private static void capacity(ModelReleaseSpec spec, List<String> errors) {
        var server = spec.getServer();
        if (server == null || (server.getCanary() == null && server.getDynamicStableScale() == null)) {
            return;
        }
        var canary = server.getCanary();
        boolean match = canary != null && Boolean.TRUE.equals(canary.getMatchTrafficWeight());
        if (canary != null && (canary.getReplicas() != null) == match) {
            errors.add("spec.server.canary: set either replicas or matchTrafficWeight: true, not both and not neither");
        }
        int replicas = server.getReplicas() == null ? PlanResolver.DEFAULT_REPLICAS : server.getReplicas();
        if (canary != null
                && canary.getReplicas() != null
                && (canary.getReplicas() < 1 || canary.getReplicas() > replicas)) {
            errors.add("spec.server.canary.replicas: between 1 and server.replicas (" + replicas + ")");
        }
        if (server.getDynamicStableScale() != null) {
            Integer surge = server.getDynamicStableScale().getSurge();
            if (surge != null && (surge < 1 || surge > 100)) {
                errors.add("spec.server.dynamicStableScale.surge: between 1 and 100");
            }
            if (!match) {
                errors.add("spec.server.dynamicStableScale: needs server.canary.matchTrafficWeight: true");
            }
        }
        boolean gatewayApi = spec.getTraffic() != null
                && spec.getTraffic().getGatewayAPI() != null
                && spec.getTraffic().getRouter() != Router.REPLICAS;
        if (!gatewayApi) {
            errors.add("spec.server: canary and dynamicStableScale need the gatewayAPI router (the replicas router"
                    + " splits public traffic by replica counts, so the canary's size is its weight)");
        }
    }

    /**
     * {@code server.autoscaling}, as the CRD's rules hold it (a release stored before it existed, or by an API server
     * that skipped them): a minimum within its maximum, not with replicas, canary or dynamicStableScale, and only under
     * the gatewayAPI router (the replicas router splits public traffic by replica counts, which an autoscaler changes).
     */
    private static void autoscaling(ModelReleaseSpec spec, List<String> errors) {
        var server = spec.getServer();
        if (server == null || server.getAutoscaling() == null) {
            return;
        }
        var autoscaling = server.getAutoscaling();
        Integer max = autoscaling.getMaxReplicas();
        if (max == null || max < 1 || max > 100) {
            errors.add("spec.server.autoscaling.maxReplicas: required, between 1 and 100");
        } else if (autoscaling.min() < 1 || autoscaling.min() > max) {
            errors.add("spec.server.autoscaling.minReplicas: between 1 and maxReplicas (" + max + ")");
        }
        Integer cpu = autoscaling.getTargetCPUUtilization();
        if (cpu != null && (cpu < 1 || cpu > 100)) {
            errors.add("spec.server.autoscaling.targetCPUUtilization: between 1 and 100");
        }
        var pods = autoscaling.getPodsMetric();
        if (pods != null
                && (pods.getName() == null
                        || pods.getName().isBlank()
                        || !pods.getName().matches("[a-zA-Z_:][a-zA-Z0-9_:]*")
                        || pods.getAverageValue() == null
                        || !pods.getAverageValue()
                                .matches("([0-9]*[1-9][0-9]*(\\.[0-9]+)?|[0-9]+\\.[0-9]*[1-9][0-9]*)(m|k|M|G)?"))) {
            errors.add("spec.server.autoscaling.podsMetric: needs a name and an averageValue such as 5 or 500m");
        }
        if (server.getReplicas() != null) {
            errors.add("spec.server.autoscaling: not with server.replicas (each track's HorizontalPodAutoscaler sizes"
                    + " it between autoscaling.minReplicas and maxReplicas)");
        }
        if (server.getCanary() != null || server.getDynamicStableScale() != null) {
            errors.add("spec.server.autoscaling: not with server.canary or server.dynamicStableScale");
        }
        boolean gatewayApi = spec.getTraffic() != null
                && spec.getTraffic().getGatewayAPI() != null
                && spec.getTraffic().getRouter() != Router.REPLICAS;
        if (!gatewayApi) {
            errors.add("spec.server.autoscaling needs the gatewayAPI router (the replicas router splits public traffic"
                    + " by replica counts, which an autoscaler changes)");
        }
    }

    /** A built-in template the release's server profile has no metric for is refused, never a gate that cannot fail. */
    private static void templates(ModelReleaseSpec spec, List<String> errors) {
        List<MetricSpec> metrics =
                spec.getAnalysis() == null ? null : spec.getAnalysis().getMetrics();
        if (metrics == null) {
            return;
        }
        ServerProfile profile = ProfileQueries.profileOf(spec);
        for (int i = 0; i < metrics.size(); i++) {
            MetricTemplate template =
                    metrics.get(i) == null ? null : metrics.get(i).getTemplate();
            if (template != null && ProfileQueries.of(profile, template).isEmpty()) {
                errors.add("spec.analysis.metrics[" + i + "].template: " + ProfileQueries.refusal(profile, template));
            }
        }
    }

    private static void stages(List<StageSpec> stages, List<String> errors) {
        if (stages == null) {
            return;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < stages.size(); i++) {
            StageSpec s = stages.get(i);
            String path = "spec.stages[" + i + "]";
            if (s.getName() == null) {
                errors.add(path + ".name: required");
                continue;
            }
            if (!seen.add(s.getName().wireName())) {
                errors.add(path + ".name: duplicate stage " + s.getName().wireName());
            }
            duration(path + ".minDuration", s.getMinDuration(), errors::add);
            duration(path + ".stepDuration", s.getStepDuration(), errors::add);
            List<Integer> steps = s.getSteps();
            if (steps != null) {
                for (int j = 0; j < steps.size(); j++) {
                    if (steps.get(j) == null
                            || steps.get(j) < 1
                            || steps.get(j) > 100
                            || (j > 0 && steps.get(j) <= steps.get(j - 1))) {
                        errors.add(path + ".steps: weights must be strictly ascending between 1 and 100");
                        break;
                    }
                }
                if (!steps.isEmpty() && !Integer.valueOf(100).equals(steps.get(steps.size() - 1))) {
                    errors.add(path + ".steps: must end at 100");
                }
            }
        }
    }

    /**
     * As the CRD's rules: the shadow stage needs the gatewayAPI router (only an HTTPRoute can mirror), the safety gate
     * (it passes on judged outputs, not on time) and its {@code mirrorFrom}. Here too, for a release stored before
     * those rules existed.
     */
    private static void shadow(ModelReleaseSpec spec, List<String> errors) {
        if (spec.getStages() == null) {
            return;
        }
        for (int i = 0; i < spec.getStages().size(); i++) {
            StageSpec s = spec.getStages().get(i);
            if (s == null || s.getName() != StageName.SHADOW) {
                continue;
            }
            String path = "spec.stages[" + i + "]";
            var traffic = spec.getTraffic();
            if (traffic == null
                    || traffic.getGatewayAPI() == null
                    || (traffic.getRouter() != null && traffic.getRouter() != Router.GATEWAY_API)) {
                errors.add(path + ": the shadow stage needs the gatewayAPI router (spec.traffic.gatewayAPI): only an"
                        + " HTTPRoute can mirror requests to the canary");
            }
            if (spec.getAnalysis() == null || spec.getAnalysis().getSafety() == null) {
                errors.add(path + ": the shadow stage needs spec.analysis.safety: it passes on the judged outputs to"
                        + " mirrored requests, not on time");
            }
            if (s.getMirrorFrom() == null || s.getMirrorFrom().isEmpty()) {
                errors.add(path + ".mirrorFrom: required in the shadow stage (public, internal or both)");
            }
            if (i != 0) {
                errors.add(path + ": the shadow stage must be the first stage");
            }
        }
    }

    private static void duration(String path, String value, Consumer<String> errors) {
        if (value == null) {
            return;
        }
        try {
            GoDuration.parse(value);
        } catch (IllegalArgumentException e) {
            errors.accept(path + ": " + e.getMessage());
        }
    }

    private void interval(String value, List<String> errors) {
        try {
            if (value != null && GoDuration.parse(value).compareTo(minInterval) < 0) {
                errors.add("spec.analysis.interval: at least " + minInterval.toSeconds() + "s");
            }
        } catch (IllegalArgumentException e) {
            // reported by duration()
        }
    }

    /** As in the CRD, for objects stored before its bound: a larger prior makes the gate's design costly. */
    private static void prior(PriorSpec prior, List<String> errors) {
        if (prior == null) {
            return;
        }
        pseudoCount("spec.analysis.safety.prior.alpha", prior.getAlpha(), errors);
        pseudoCount("spec.analysis.safety.prior.beta", prior.getBeta(), errors);
    }

    private static void pseudoCount(String path, Double value, List<String> errors) {
        if (value != null && !(value > 0 && value <= PriorSpec.MAX_PSEUDO_COUNT)) {
            errors.add(path + ": must be above 0 and at most " + (long) PriorSpec.MAX_PSEUDO_COUNT + ", got " + value);
        }
    }

    /** As in the CRD: a duration of at most {@link CanaryDrain#MAX_DELAY}. */
    private static void scaleDownDelay(String value, List<String> errors) {
        duration("spec.traffic.scaleDownDelay", value, errors::add);
        try {
            if (value != null && GoDuration.parse(value).compareTo(CanaryDrain.MAX_DELAY) > 0) {
                errors.add("spec.traffic.scaleDownDelay: at most 1h");
            }
        } catch (IllegalArgumentException e) {
            // reported by duration()
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
