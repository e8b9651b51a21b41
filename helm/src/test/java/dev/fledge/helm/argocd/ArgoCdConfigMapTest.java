package dev.fledge.helm.argocd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * argocd/argocd-cm.yaml, the patch users apply to Argo CD's argocd-cm, embeds the Lua files
 * verbatim. It is generated: run this test with -Dfledge.generate=true to rewrite it.
 */
class ArgoCdConfigMapTest {

    static final List<String> ACTIONS = List.of("promote", "abort", "retry", "pause", "resume");
    private static final Path PATCH = ArgoLua.dir().resolve("argocd-cm.yaml");
    private static final String HEALTH_KEY = "resource.customizations.health.fledge.dev_ModelRelease";
    private static final String ACTIONS_KEY = "resource.customizations.actions.fledge.dev_ModelRelease";

    private static String block(String text, int indent) {
        String pad = " ".repeat(indent);
        StringBuilder out = new StringBuilder();
        for (String line : text.strip().split("\n", -1)) {
            out.append(line.isEmpty() ? "" : pad + line).append('\n');
        }
        return out.toString();
    }

    private static String lua(String relative) {
        return ArgoLua.read(ArgoLua.dir().resolve(relative));
    }

    static String expectedPatch() {
        StringBuilder actions = new StringBuilder("discovery.lua: |\n")
                .append(block(lua("actions/discovery.lua"), 2))
                .append("definitions:\n");
        for (String action : ACTIONS) {
            actions.append("  - name: ")
                    .append(action)
                    .append('\n')
                    .append("    action.lua: |\n")
                    .append(block(lua("actions/" + action + "/action.lua"), 6));
        }
        return """
                # GENERATED from health.lua and actions/ by ArgoCdConfigMapTest (-Dfledge.generate=true); do not edit.
                # Adds Fledge's ModelRelease health check and actions to Argo CD:
                #   kubectl -n argocd patch configmap argocd-cm --type merge --patch-file argocd-cm.yaml
                data:
                """
                + "  " + HEALTH_KEY + ": |\n" + block(lua("health.lua"), 4)
                + "  " + ACTIONS_KEY + ": |\n" + block(actions.toString(), 4);
    }

    @Test
    void patchEmbedsTheCurrentLuaFiles() throws IOException {
        if (Boolean.getBoolean("fledge.generate")) {
            Files.writeString(PATCH, expectedPatch());
        }
        assertThat(ArgoLua.read(PATCH))
                .as("argocd-cm.yaml is stale: run the chart tests with -Dfledge.generate=true")
                .isEqualTo(expectedPatch());
    }

    @Test
    @SuppressWarnings("unchecked")
    void patchParsesIntoTheKeysArgoCdReads() {
        Map<String, Object> data = (Map<String, Object>) ArgoLua.resource(PATCH).get("data");
        Map<String, Object> actions = ArgoLua.resource(writeTemp((String) data.get(ACTIONS_KEY)));

        assertThat(data.get(HEALTH_KEY)).isEqualTo(lua("health.lua"));
        assertThat(actions.get("discovery.lua")).isEqualTo(lua("actions/discovery.lua"));
        assertThat((List<Map<String, Object>>) actions.get("definitions"))
                .extracting(d -> d.get("name"))
                .containsExactlyElementsOf(ACTIONS);
        assertThat((List<Map<String, Object>>) actions.get("definitions"))
                .allSatisfy(d ->
                        assertThat(d.get("action.lua")).isEqualTo(lua("actions/" + d.get("name") + "/action.lua")));
    }

    private static Path writeTemp(String yaml) {
        try {
            Path file = Files.createTempFile("argocd-actions", ".yaml");
            file.toFile().deleteOnExit();
            return Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
