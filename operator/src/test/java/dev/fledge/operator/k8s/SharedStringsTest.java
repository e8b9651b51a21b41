package dev.fledge.operator.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fledge.api.ModelRelease;
import dev.fledge.operator.config.OperatorObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@link SharedStrings} as the operator's client reads with it: the Quarkus producer's mapper, customized. */
class SharedStringsTest {
    private final KubernetesSerialization stock = new KubernetesSerialization(new ObjectMapper(), false);
    private final KubernetesSerialization shared = OperatorObjectMapper.serialization();

    @Test
    void twoDeploymentsShareTheirEqualValuesAndReadAsWithoutTheModule() {
        Deployment a = shared.unmarshal(deployment("a", "uid-1"), Deployment.class);
        Deployment b = shared.unmarshal(deployment("b", "uid-2"), Deployment.class);

        assertThat(a).isEqualTo(stock.unmarshal(deployment("a", "uid-1"), Deployment.class));
        assertThat(b).isEqualTo(stock.unmarshal(deployment("b", "uid-2"), Deployment.class));
        var c1 = a.getSpec().getTemplate().getSpec().getContainers().get(0);
        var c2 = b.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c2.getImage()).as("a field").isSameAs(c1.getImage());
        assertThat(c2.getArgs().get(0)).as("a list item").isSameAs(c1.getArgs().get(0));
        assertThat(b.getMetadata().getLabels().get("fledge.dev/track"))
                .as("a map value")
                .isSameAs(a.getMetadata().getLabels().get("fledge.dev/track"));
        assertThat(b.getMetadata().getUid()).isEqualTo("uid-2");
    }

    @Test
    void twoReleasesShareTheirStatusValuesButNotTheirSpecsOrModelUris() {
        java.util.function.IntFunction<String> release = i -> """
                {"apiVersion":"fledge.dev/v1alpha1","kind":"ModelRelease",
                 "metadata":{"name":"rNAME","namespace":"team-a"},
                 "spec":{"model":{"name":"m","version":"2.0.0","uri":"https://user:pw@models.example/m-2.0.0"}},
                 "status":{"phase":"Progressing","stage":"closed","lastGate":"error-rate=Pass",
                   "stable":{"uri":"https://user:pw@models.example/m-1.0.0"},
                   "gates":[{"name":"error-rate","kind":"metric","verdict":"Pass","reason":"0.1% <= 1%",
                             "at":"2026-12-05T10:00:00Z"}]}}
                """.replace("NAME", String.valueOf(i));
        ModelRelease a = shared.unmarshal(release.apply(1), ModelRelease.class);
        ModelRelease b = shared.unmarshal(release.apply(2), ModelRelease.class);

        assertThat(stock.asJson(b))
                .as("reads as without the module")
                .isEqualTo(stock.asJson(stock.unmarshal(release.apply(2), ModelRelease.class)));
        assertThat(b.getStatus().getGates().get(0).getReason())
                .isSameAs(a.getStatus().getGates().get(0).getReason());
        assertThat(b.getStatus().getLastGate()).isSameAs(a.getStatus().getLastGate());
        assertThat(b.getSpec().getModel().getUri())
                .isNotSameAs(a.getSpec().getModel().getUri());
        assertThat(b.getStatus().getStable().getUri())
                .isEqualTo("https://user:pw@models.example/m-1.0.0")
                .isNotSameAs(a.getStatus().getStable().getUri());
    }

    @Test
    void withoutTheModuleNothingIsShared() {
        Deployment a = stock.unmarshal(deployment("a", "uid-1"), Deployment.class);
        Deployment b = stock.unmarshal(deployment("b", "uid-2"), Deployment.class);
        // the control: Jackson makes a new String per value
        assertThat(b.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isNotSameAs(a.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getImage());
    }

    @Test
    void coercedNullAndEmptyValuesReadAsWithoutTheModule() {
        String json = """
                {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x","labels":{"a":null,"b":""}},
                 "spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"s","image":123,"args":[null,"",true],
                 "ports":[{"containerPort":8080,"name":"http"}]}]}}}}""";
        Deployment read = shared.unmarshal(json, Deployment.class);
        assertThat(read).isEqualTo(stock.unmarshal(json, Deployment.class));
        assertThat(read.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo("123");
    }

    @Test
    void everyExampleObjectAndAServiceReadAsWithoutTheModule() throws Exception {
        int releases = 0;
        try (var files = Files.list(Path.of("..", "examples"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                for (Object o : all(stock.unmarshal(Files.readString(f)))) {
                    HasMetadata object = (HasMetadata) o;
                    // typed as the informers read them: a ModelRelease as the operator's class
                    Class<?> type = "ModelRelease".equals(object.getKind()) ? ModelRelease.class : object.getClass();
                    String json = stock.asJson(object);
                    // compared as JSON: the release's spec and status classes have no equals
                    assertThat(stock.asJson(shared.unmarshal(json, type)))
                            .as(f + ": " + object.getKind())
                            .isEqualTo(stock.asJson(stock.unmarshal(json, type)));
                    releases += type == ModelRelease.class ? 1 : 0;
                }
            }
        }
        assertThat(releases).as("ModelReleases among the examples").isGreaterThan(3);
        String service = """
                {"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},
                 "spec":{"ports":[{"port":80,"targetPort":"http"},{"port":81,"targetPort":8081}]}}""";
        assertThat(shared.unmarshal(service, Service.class)).isEqualTo(stock.unmarshal(service, Service.class));
    }

    @Test
    void secretAndConfigMapValuesAreNeverShared() {
        String secret = """
                {"apiVersion":"v1","kind":"Secret","metadata":{"name":"k"},"data":{"key":"c2VjcmV0"},
                 "stringData":{"url":"https://hooks.example/T0"}}""";
        Secret one = shared.unmarshal(secret, Secret.class);
        Secret two = shared.unmarshal(secret, Secret.class);
        assertThat(two.getData().get("key"))
                .isEqualTo("c2VjcmV0")
                .isNotSameAs(one.getData().get("key"));
        assertThat(two.getStringData().get("url"))
                .isNotSameAs(one.getStringData().get("url"));
        String configMap = """
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"suite":"prompts"}}""";
        assertThat(shared.unmarshal(configMap, ConfigMap.class).getData().get("suite"))
                .isNotSameAs(
                        shared.unmarshal(configMap, ConfigMap.class).getData().get("suite"));
        String withEnv = """
                {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"},"spec":{"template":{"spec":
                 {"containers":[{"name":"s","env":[{"name":"API_KEY","value":"sk-inline"}]}]}}}}""";
        assertThat(envValue(shared.unmarshal(withEnv, Deployment.class)))
                .as("an environment variable's value")
                .isEqualTo("sk-inline")
                .isNotSameAs(envValue(shared.unmarshal(withEnv, Deployment.class)));
    }

    @Test
    void theOperatorsOwnResourcesAndHeaderValuesAreNeverShared() {
        assertThat(SharedStrings.shared(Deployment.class)).isTrue();
        assertThat(SharedStrings.shared(HTTPRoute.class)).isTrue();
        assertThat(SharedStrings.shared(ModelRelease.class))
                .as("webhook URLs, header values")
                .isFalse();
        assertThat(SharedStrings.shared(dev.fledge.api.spec.ModelReleaseSpec.class))
                .isFalse();
        assertThat(SharedStrings.shared(dev.fledge.api.status.ServingStatus.class))
                .as("the model URI")
                .isFalse();
        assertThat(SharedStrings.shared(dev.fledge.api.status.GateResult.class))
                .as("gate names, reasons, times: the same in every release")
                .isTrue();
        assertThat(SharedStrings.shared(HTTPHeaderMatch.class)).isFalse();
        assertThat(SharedStrings.shared(io.fabric8.kubernetes.api.model.HTTPHeader.class))
                .isFalse();
        assertThat(SharedStrings.shared(EnvVar.class)).isFalse();
        assertThat(SharedStrings.shared(Secret.class)).isFalse();
    }

    private static String envValue(Deployment d) {
        return d.getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getEnv()
                .get(0)
                .getValue();
    }

    @Test
    void deeplyNestedUnknownFieldsReadOnASmallStackAsWithoutTheModule() throws Exception {
        // unknown fields go to additionalProperties through Jackson's untyped reader, which must stay its
        // non-recursive one: a tenant's pod template can carry such fields
        String nested = "{\"x\":".repeat(400) + "1" + "}".repeat(400);
        String json = "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"x\"},\"unknown\":"
                + nested + "}";
        AtomicReference<Object> read = new AtomicReference<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread t = new Thread(
                null,
                () -> {
                    try {
                        read.set(shared.unmarshal(json, Deployment.class));
                    } catch (Throwable e) {
                        failed.set(e);
                    }
                },
                "small-stack",
                96 * 1024);
        t.start();
        t.join();
        assertThat(failed.get()).as("read on a 96 KiB stack").isNull();
        assertThat(read.get()).isEqualTo(stock.unmarshal(json, Deployment.class));
    }

    @Test
    void longValuesPassThroughAndTheTableHoldsAtMostOneValuePerSlot() {
        SharedStrings strings = new SharedStrings(4);
        String longValue = "x".repeat(SharedStrings.MAX_LENGTH + 1);
        assertThat(strings.share(new String(longValue))).isNotSameAs(strings.share(new String(longValue)));
        assertThat(strings.share(null)).isNull();
        List<String> held = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            String v = "value-" + i;
            assertThat(strings.share(v)).isEqualTo(v);
            held.add(v);
        }
        long stillShared =
                held.stream().filter(v -> strings.share(new String(v)) == v).count();
        assertThat(stillShared).as("values still held by a table of 16 slots").isLessThanOrEqualTo(16);
        String kept = strings.share(new String("TCP"));
        assertThat(strings.share(new String("TCP"))).isSameAs(kept);
        assertThatThrownBy(() -> new SharedStrings(0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static List<?> all(Object read) {
        return read instanceof List<?> l ? l : List.of(read);
    }

    private static String deployment(String name, String uid) {
        return """
                {"apiVersion":"apps/v1","kind":"Deployment",
                 "metadata":{"name":"%s","uid":"%s","labels":{"fledge.dev/track":"stable"}},
                 "spec":{"template":{"spec":{"containers":[{"name":"server","image":"fledge/model-server:0.1.0",
                 "args":["--port=8080"]}]}}}}""".formatted(name, uid);
    }
}
