package dev.fledge.e2e.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fledge.operator.workload.Applier;
import dev.fledge.operator.workload.Ownership;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The applier's ownership check against an informer's copy, which can be behind the API server (security review of
 * OwnedObjects). The write carries the copy's uid, so the real API server refuses it when the object is another one
 * by now, and the write is decided on the live object: one made again by someone else meanwhile is refused as not the
 * release's (without the uid, the forced apply took it over and put the release's controller owner reference on it);
 * one deleted meanwhile is made again.
 */
@Tag("apiserver")
class ApplierOnRealApiServerTest {
    static final String NS = "applier-stale-copy-" + Long.toString(System.nanoTime() % 1_000_000, 36);

    @Test
    void aWriteCheckedAgainstAStaleCopyDoesNotTakeOverAnObjectMadeAgainBySomeoneElse() {
        KubernetesClient client = RealApiServer.shared().client();
        new ClusterResources(client).ensureNamespace(NS);
        Applier applier = new Applier(client, Clock.systemUTC());
        Service ours = applier.applyIfChanged(service("release-uid-1", "8080"), null);
        Service staleCopy =
                client.services().inNamespace(NS).withName("assistant").get(); // as an informer held it

        client.services()
                .inNamespace(NS)
                .withName("assistant")
                .withTimeout(30, java.util.concurrent.TimeUnit.SECONDS)
                .delete();
        Service theirs = client.resource(new ServiceBuilder()
                        .withNewMetadata()
                        .withName("assistant")
                        .withNamespace(NS)
                        .withLabels(Map.of("fledge.dev/release", "assistant"))
                        .endMetadata()
                        .withNewSpec()
                        .withSelector(Map.of("app", "theirs"))
                        .addNewPort()
                        .withPort(8080) // the same port: an apply onto it would merge cleanly
                        .withTargetPort(new IntOrString(9090))
                        .endPort()
                        .endSpec()
                        .build())
                .create();
        assertThat(theirs.getMetadata().getUid())
                .isNotEqualTo(ours.getMetadata().getUid());
        assertThat(theirs.getSpec().getPorts().get(0).getTargetPort().getIntVal())
                .isEqualTo(9090);

        assertThatThrownBy(() -> applier.applyIfChanged(service("release-uid-1", "8081"), staleCopy))
                .as("refused by the API server for the copy's uid, then by the ownership check on the live object")
                .isInstanceOf(Ownership.NotOwned.class);
        Service after = client.services().inNamespace(NS).withName("assistant").get();
        assertThat(after.getMetadata().getOwnerReferences())
                .as("still nobody's")
                .isEmpty();
        assertThat(after.getSpec().getSelector()).isEqualTo(Map.of("app", "theirs"));
        assertThat(after.getSpec().getPorts().get(0).getTargetPort().getValue()).isEqualTo(9090);
    }

    /** The informer's copy still shows a Service that was deleted since: the write makes it again, the release's. */
    @Test
    void aWriteCheckedAgainstAStaleCopyOfADeletedObjectMakesItAgain() {
        KubernetesClient client = RealApiServer.shared().client();
        String ns = NS + "-gone";
        new ClusterResources(client).ensureNamespace(ns);
        Applier applier = new Applier(client, Clock.systemUTC());
        Service first = applier.applyIfChanged(service(ns, "release-uid-1", "8080"), null);
        Service staleCopy =
                client.services().inNamespace(ns).withName("assistant").get();
        client.services()
                .inNamespace(ns)
                .withName("assistant")
                .withTimeout(30, java.util.concurrent.TimeUnit.SECONDS)
                .delete();

        Service again = applier.applyIfChanged(service(ns, "release-uid-1", "8081"), staleCopy);
        assertThat(again.getMetadata().getUid())
                .isNotEqualTo(first.getMetadata().getUid());
        Service stored = client.services().inNamespace(ns).withName("assistant").get();
        assertThat(stored.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o -> assertThat(o.getUid()).isEqualTo("release-uid-1"));
        assertThat(stored.getSpec().getPorts().get(0).getTargetPort().getValue())
                .isEqualTo(8081);
    }

    private static Service service(String releaseUid, String targetPort) {
        return service(NS, releaseUid, targetPort);
    }

    private static Service service(String namespace, String releaseUid, String targetPort) {
        return new ServiceBuilder()
                .withNewMetadata()
                .withName("assistant")
                .withNamespace(namespace)
                .withLabels(Map.of("fledge.dev/release", "assistant"))
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion("fledge.dev/v1alpha1")
                        .withKind("ModelRelease")
                        .withName("assistant")
                        .withUid(releaseUid)
                        .withController(true)
                        .build())
                .endMetadata()
                .withNewSpec()
                .withSelector(Map.of("fledge.dev/release", "assistant"))
                .addNewPort()
                .withPort(8080)
                .withTargetPort(new IntOrString(Integer.parseInt(targetPort)))
                .endPort()
                .endSpec()
                .build();
    }
}
