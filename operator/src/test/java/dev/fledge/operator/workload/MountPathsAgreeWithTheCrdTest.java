package dev.fledge.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The mount paths a release may not use are refused twice: by the committed CRD's CEL rules on
 * {@code volumeMounts[].mountPath} (so {@code kubectl apply} fails with the path) and by {@link MountPaths#refusal}
 * (authoritative: the policy check and the Deployment builder). Both must refuse, and both allow, the same paths. The
 * rules are evaluated here as CEL does: {@code self.matches} is an unanchored RE2 search, which these patterns spell the
 * same way in Java. (On a real API server: TenantIsolationOnRealApiServerTest#theApiServerAndTheOperatorRefuseTheSameMountPaths.)
 */
class MountPathsAgreeWithTheCrdTest {
    /** Refused by both: the image's code and the operator's own mounts, at, below or above them. */
    static final List<String> REFUSED = List.of(
            "/deployments",
            "/deployments/config",
            "//usr/lib/jvm",
            "/etc/",
            "/lib64",
            "/opt/java/openjdk",
            "/opt/fledge",
            "/opt/fledge/libtorch",
            "//opt//fledge/libtorch/evil.so",
            "/opt",
            "/",
            "//",
            "/tmp/djl-cache",
            "/tmp/djl-cache/pytorch",
            "/var/run/fledge",
            "/var/run/fledge/feedback-key",
            "/var/run/fledge/feedback-key/key",
            "//var//run/fledge/",
            "/var/run",
            "/var/run/",
            "/var",
            "/run",
            "/run/fledge",
            "/run/fledge/feedback-key",
            "/data/../etc",
            "deployments");
    /** Allowed by both (the operator: from an emptyDir, so {@code /tmp} counts). */
    static final List<String> ALLOWED = List.of(
            "/tmp",
            "/tmp/cfg",
            "/models",
            "/data/config",
            "/optional",
            "/certs",
            "/opt/models",
            "/usrdata",
            "/var/cache/model",
            "/var/lib/x",
            "/var/runner",
            "/var/run/other",
            "/var/run/fledged",
            "/run/secrets-x",
            "/run2",
            "/fledge");

    private static final Pattern MATCHES = Pattern.compile("(!?)self\\.matches\\('([^']*)'\\)");

    static List<String> crdMountPathRules() throws IOException {
        JsonNode crd = new ObjectMapper(new YAMLFactory()).readTree(TenantEnvNamesAgreeWithTheCrdTest.CRD.toFile());
        JsonNode path = crd.at("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/server/properties"
                + "/template/properties/spec/properties/containers/items/properties/volumeMounts/items/properties"
                + "/mountPath");
        List<String> rules = new ArrayList<>();
        for (JsonNode v : path.path("x-kubernetes-validations")) {
            rules.add(v.path("rule").asText());
        }
        assertThat(rules).as("the CEL rules on volumeMounts[].mountPath").isNotEmpty();
        return rules;
    }

    /**
     * Whether the API server refuses {@code path}: the rules are conjunctions of {@code self.startsWith('/')} and
     * {@code !self.matches('...')}; any other shape fails this test, so a new kind of rule is noticed here.
     */
    static boolean crdRefuses(List<String> rules, String path) {
        for (String rule : rules) {
            for (String term : rule.split("&&")) {
                String t = term.trim();
                if (t.equals("self.startsWith('/')")) {
                    if (!path.startsWith("/")) {
                        return true;
                    }
                    continue;
                }
                Matcher m = MATCHES.matcher(t);
                assertThat(m.matches() && m.group(1).equals("!"))
                        .as("a rule term this test can evaluate: %s", t)
                        .isTrue();
                if (Pattern.compile(m.group(2)).matcher(path).find()) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void theCrdAndTheOperatorRefuseTheSamePaths() throws IOException {
        List<String> rules = crdMountPathRules();
        for (String path : REFUSED) {
            assertThat(crdRefuses(rules, path)).as("the CRD refuses %s", path).isTrue();
            assertThat(MountPaths.refusal(path, true))
                    .as("the operator refuses %s", path)
                    .isPresent();
        }
        for (String path : ALLOWED) {
            assertThat(crdRefuses(rules, path)).as("the CRD allows %s", path).isFalse();
            assertThat(MountPaths.refusal(path, true))
                    .as("the operator allows %s", path)
                    .isEmpty();
        }
    }

    @Test
    void theOperatorsOwnKeyMountIsWhereNoReleaseMayMount() {
        assertThat(MountPaths.refusal(DesiredDeployment.FEEDBACK_KEY_DIR, false))
                .hasValueSatisfying(why -> assertThat(why).contains("response-id key"));
        assertThat(MountPaths.refusal(DesiredDeployment.FEEDBACK_KEY_FILE, true))
                .isPresent();
    }
}
