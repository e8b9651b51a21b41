package dev.fledge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Refusals and unreachable servers: one line on stderr, exit code 1, no stack trace unless --verbose. */
class KubectlFledgeErrorsTest {
    private static final String RELEASE = "/apis/fledge.dev/v1alpha1/namespaces/ml/modelreleases/assistant";
    private KubernetesMockServer server;

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(false);
        server.init();
    }

    @AfterEach
    void stop() {
        server.destroy();
    }

    @Test
    void aForbiddenPatchSaysWhichVerbOnWhichResourceWasRefused() throws IOException {
        server.expect().get().withPath(RELEASE).andReturn(200, fixture()).always();
        server.expect()
                .patch()
                .withPath(RELEASE)
                .andReturn(
                        403,
                        forbidden("modelreleases.fledge.dev \"assistant\"", "patch", "modelreleases", "fledge.dev"))
                .always();
        server.expect()
                .get()
                .withPath("/apis/fledge.dev/v1alpha1/namespaces/ml/modelreleases")
                .andReturn(403, forbidden("modelreleases.fledge.dev", "list", "modelreleases", "fledge.dev"))
                .always();
        CliHarness.Result promote = run("promote", "assistant", "-n", "ml");
        CliHarness.Result list = run("get", "-n", "ml");
        assertThat(promote.code()).isEqualTo(1);
        assertThat(promote.err())
                .startsWith("error: forbidden: you may not patch modelreleases.fledge.dev in namespace \"ml\"")
                .doesNotContain("\tat ")
                .hasLineCount(1);
        assertThat(list.code()).isEqualTo(1);
        Golden.check("forbidden", promote.transcript() + list.transcript());
    }

    @Test
    void forbiddenEventsAreNotedInTheTreeInsteadOfFailingIt() throws IOException {
        server.expect().get().withPath(RELEASE).andReturn(200, fixture()).always();
        server.expect()
                .get()
                .withPath("/api/v1/namespaces/ml/events?fieldSelector=involvedObject.name%3Dassistant")
                .andReturn(403, forbidden("events", "list", "events", ""))
                .always();
        CliHarness.Result get = run("get", "assistant", "-n", "ml");
        assertThat(get.code()).isZero();
        assertThat(get.out())
                .contains("└─ Events\n   └─ not shown: forbidden: you may not list events in namespace \"ml\"");
    }

    @Test
    void anUnreachableServerIsNamedWithoutAStackTrace() {
        var config = new ConfigBuilder()
                .withMasterUrl("http://127.0.0.1:1")
                .withNamespace("ml")
                .withRequestRetryBackoffLimit(0)
                .build();
        Clients refused =
                context -> new KubernetesClientBuilder().withConfig(config).build();
        CliHarness.Result get = CliHarness.run(refused, "get", "assistant");
        assertThat(get.code()).isEqualTo(1);
        assertThat(get.err())
                .matches(
                        "error: cannot reach the API server at http://127\\.0\\.0\\.1:1/: .*(refused|Connection).*\\n");
        CliHarness.Result verbose = CliHarness.run(refused, "get", "assistant", "--verbose");
        assertThat(verbose.err()).contains("\tat ");
    }

    private CliHarness.Result run(String... args) {
        return CliHarness.run(context -> server.createClient(), args);
    }

    private static ModelRelease fixture() throws IOException {
        try (InputStream in = Files.newInputStream(CliHarness.FIXTURES.resolve("assistant.yaml"))) {
            return new KubernetesSerialization().unmarshal(in, ModelRelease.class);
        }
    }

    /** What a real API server answers when RBAC refuses the user jane. */
    private static Status forbidden(String what, String verb, String resource, String group) {
        return new StatusBuilder()
                .withStatus("Failure")
                .withReason("Forbidden")
                .withCode(403)
                .withMessage(what + " is forbidden: User \"jane\" cannot " + verb + " resource \"" + resource
                        + "\" in API group \"" + group + "\" in the namespace \"ml\"")
                .build();
    }
}
