package dev.fledge.helm.argocd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.luaj.vm2.LuaError;

/** The Argo CD actions: discovery per fixture (argocd/actions/action_test.yaml) and each action's effect. */
class ActionsLuaTest {

    private static final Path ACTIONS = ArgoLua.dir().resolve("actions");
    private static final List<String> ALL = List.of("promote", "abort", "retry", "pause", "resume");

    private static Map<String, Object> fixture(String name) {
        return ArgoLua.resource(ArgoLua.dir().resolve("testdata").resolve(name + ".yaml"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> run(String action, Map<String, Object> obj) {
        return (Map<String, Object>) ArgoLua.run(ACTIONS.resolve(action).resolve("action.lua"), obj);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> child(Map<String, Object> parent, String key) {
        return (Map<String, Object>) parent.get(key);
    }

    @SuppressWarnings("unchecked")
    static Stream<Arguments> discoveryCases() {
        List<Map<String, Object>> cases = (List<Map<String, Object>>)
                ArgoLua.resource(ACTIONS.resolve("action_test.yaml")).get("discoveryTests");
        return cases.stream().map(c -> arguments(c.get("inputPath"), c.get("enabled")));
    }

    @ParameterizedTest(name = "{0} offers {1}")
    @MethodSource("discoveryCases")
    @SuppressWarnings("unchecked")
    void discoveryOffersOnlyTheActionsThatMakeSense(String inputPath, List<String> enabled) {
        Map<String, Object> actions = (Map<String, Object>)
                ArgoLua.run(ACTIONS.resolve("discovery.lua"), ArgoLua.resource(ACTIONS.resolve(inputPath)));

        assertThat(actions).containsOnlyKeys(ALL);
        TreeSet<String> offered = actions.entrySet().stream()
                .filter(e -> !Boolean.TRUE.equals(((Map<String, Object>) e.getValue()).get("disabled")))
                .map(Map.Entry::getKey)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(offered).containsExactlyInAnyOrderElementsOf(enabled);
    }

    @ParameterizedTest(name = "{0} sets fledge.dev/action={0}")
    @ValueSource(strings = {"promote", "abort", "retry"})
    void annotationActionsAskTheOperatorAndLeaveTheSpecAlone(String action) {
        Map<String, Object> before = fixture("progressing");
        Map<String, Object> after = run(action, fixture("progressing"));

        assertThat((String) child(child(after, "metadata"), "annotations").get("fledge.dev/action"))
                .as("the action with a nonce: the UTC time and the resourceVersion acted on")
                .matches(action + ":\\d{8}T\\d{6}-41");
        assertThat(after.get("spec")).isEqualTo(ArgoLua.roundTrip(before.get("spec")));
        assertThat(after.get("status")).isEqualTo(ArgoLua.roundTrip(before.get("status")));
    }

    @Test
    void annotationActionsKeepExistingAnnotations() {
        Map<String, Object> obj = fixture("progressing");
        child(obj, "metadata").put("annotations", new HashMap<>(Map.of("team", "ml-platform")));

        Map<String, Object> after = run("abort", obj);

        assertThat(child(child(after, "metadata"), "annotations"))
                .containsEntry("team", "ml-platform")
                .hasEntrySatisfying(
                        "fledge.dev/action", v -> assertThat((String) v).startsWith("abort:"));
    }

    @ParameterizedTest(name = "{0} refuses to replace an unread action")
    @ValueSource(strings = {"promote", "abort", "retry"})
    void anActionTheOperatorHasNotReadIsNeverReplaced(String action) {
        Map<String, Object> obj = fixture("progressing");
        child(obj, "metadata").put("annotations", new HashMap<>(Map.of("fledge.dev/action", "abort:7")));

        assertThatThrownBy(() -> run(action, obj))
                .isInstanceOf(LuaError.class)
                .hasMessageContaining("fledge.dev/action=abort:7 is pending, not yet read by the operator");
    }

    @Test
    void anActionTheOperatorHasReadIsReplaced() {
        Map<String, Object> after = run("promote", fixture("action-read"));

        assertThat((String) child(child(after, "metadata"), "annotations").get("fledge.dev/action"))
                .startsWith("promote:");
    }

    @Test
    void pauseSetsSpecPausedAndNothingElse() {
        Map<String, Object> after = run("pause", fixture("progressing"));

        assertThat(child(after, "spec")).containsEntry("paused", true);
        assertThat(child(after, "metadata")).doesNotContainKey("annotations");
    }

    @Test
    void resumeClearsSpecPaused() {
        Map<String, Object> after = run("resume", fixture("paused"));

        assertThat(child(after, "spec")).containsEntry("paused", false);
    }

    @Test
    void pausedReleaseReportsSuspendedAfterPauseAndTheOperatorCatchingUp() {
        Map<String, Object> paused = run("pause", fixture("progressing"));
        child(paused, "status").put("phase", "Paused");

        assertThat(ArgoLua.run(ArgoLua.dir().resolve("health.lua"), paused))
                .asInstanceOf(InstanceOfAssertFactories.MAP)
                .containsEntry("status", "Suspended");
    }
}
