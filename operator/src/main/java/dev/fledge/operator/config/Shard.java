package dev.fledge.operator.config;

import dev.fledge.api.Labels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which ModelReleases this operator handles when several operators share a cluster (issue 20, goal 2):
 * {@code fledge.sharding.selector}, a label selector on {@value Labels#SHARD} alone. Each shard runs with its own
 * Lease ({@code fledge.leader-election.lease-name}). The selector filters the ModelRelease informer and, since the
 * operator copies a release's shard label onto what it creates, the Deployment informer too: a shard caches only its
 * own releases and their Deployments.
 *
 * <p>The selectors of all shards must split the releases: one shard takes {@code fledge.dev/shard notin (b,c)} (the
 * releases without the label, and with any other value), the others {@code fledge.dev/shard=b}, {@code ...=c}, one
 * chart install each. The chart derives them so from one list of shard names ({@code sharding.shards}, the same in
 * every install, and {@code sharding.shard}); hand-written selectors ({@code sharding.selector}) are not checked
 * across installs (docs/scale.md). Only the key {@value Labels#SHARD} is accepted: a selector
 * on another label would select releases whose Deployments do not carry it.
 *
 * @param selector empty: every release (one operator, no sharding)
 */
public record Shard(Optional<String> selector) {
    private static final String VALUE = "[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?";
    private static final String KEY = Pattern.quote(Labels.SHARD);
    private static final Pattern FORMS = Pattern.compile("!\\s*" + KEY
            + "|" + KEY + "\\s*(==?|!=)\\s*" + VALUE
            + "|" + KEY + "\\s+(in|notin)\\s*\\(\\s*" + VALUE + "(\\s*,\\s*" + VALUE + ")*\\s*\\)");
    private static final Pattern EQUALS = Pattern.compile(KEY + "\\s*(==?|!=)\\s*(\\S+)");
    private static final Pattern SET = Pattern.compile(KEY + "\\s+(in|notin)\\s*\\((.*)\\)");

    public Shard {
        selector = selector.map(String::strip).filter(s -> !s.isEmpty());
        selector.ifPresent(s -> {
            if (!FORMS.matcher(s).matches()) {
                throw new IllegalArgumentException("fledge.sharding.selector '" + s + "' is not one of "
                        + Labels.SHARD + "=NAME, " + Labels.SHARD + "!=NAME, " + Labels.SHARD + " in (A,B), "
                        + Labels.SHARD + " notin (A,B) or !"
                        + Labels.SHARD + ": a shard is chosen by that label alone, which the operator copies onto"
                        + " the Deployments it creates");
            }
        });
    }

    /** No sharding: this operator handles every release. */
    public static Shard all() {
        return new Shard(Optional.empty());
    }

    public static Shard of(String selector) {
        return new Shard(Optional.ofNullable(selector));
    }

    /**
     * Whether the selector takes {@code resource} by its {@value Labels#SHARD} label, as the API server would. A copy
     * of a release that left the selector can stay in the operator's cache for a while (JOSDK keeps the response of
     * the operator's last write of it): that release is another shard's now.
     */
    public boolean selects(HasMetadata resource) {
        if (selector.isEmpty()) {
            return true;
        }
        Map<String, String> labels =
                resource.getMetadata() == null ? null : resource.getMetadata().getLabels();
        String value = labels == null ? null : labels.get(Labels.SHARD);
        String s = selector.get();
        if (s.startsWith("!")) {
            return value == null;
        }
        Matcher eq = EQUALS.matcher(s);
        if (eq.matches()) {
            boolean same = eq.group(2).equals(value);
            return "!=".equals(eq.group(1)) != same;
        }
        Matcher set = SET.matcher(s);
        if (set.matches()) {
            boolean in = value != null
                    && Arrays.stream(set.group(2).split(",")).map(String::strip).anyMatch(value::equals);
            return "in".equals(set.group(1)) == in;
        }
        throw new IllegalStateException("unreachable: the constructor refused '" + s + "'");
    }

    public boolean sharded() {
        return selector.isPresent();
    }

    /** The label selector of the Deployment and HTTPRoute informers: what the operator made for this shard's releases. */
    public String deploymentSelector() {
        return Labels.RELEASE + selector.map(s -> "," + s).orElse("");
    }
}
