package dev.fledge.cli;

import dev.fledge.api.ModelRelease;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads ModelReleases and their core/v1 Events in one namespace, and merge-patches a release. What it reads is
 * {@linkplain Printable cleaned} of control characters before anyone prints it (but {@link #getAsStored}).
 */
final class ReleaseStore {
    private final KubernetesClient client;
    private final Api api;

    ReleaseStore(KubernetesClient client, Api api) {
        this.client = client;
        this.api = api;
    }

    String namespace() {
        return api.namespace();
    }

    /** The release, or a {@link CliError} saying it does not exist. */
    ModelRelease get(String name) {
        return Printable.cleaned(client.getKubernetesSerialization(), getAsStored(name), ModelRelease.class);
    }

    /**
     * The release as stored, not cleaned: for the values a write's preconditions test. Never print from it (print from
     * {@link #get}).
     */
    ModelRelease getAsStored(String name) {
        ModelRelease mr = api.call(
                "get",
                Api.MODELRELEASES,
                () -> client.resources(ModelRelease.class)
                        .inNamespace(api.namespace())
                        .withName(name)
                        .get());
        if (mr == null) {
            throw new CliError("modelrelease \"" + Printable.clean(name) + "\" not found in namespace \""
                    + api.namespace() + "\"");
        }
        return mr;
    }

    /**
     * A JSON patch (RFC 6902) of the release, whose {@code test} operations are its preconditions. Returns empty when
     * it was applied, or the error when the server refused it as a conflict (409) or unprocessable (422), which is
     * what a failed {@code test} gives; any other failure is thrown.
     */
    Optional<CliError> jsonPatch(String name, List<Map<String, Object>> operations) {
        String json = client.getKubernetesSerialization().asJson(operations);
        try {
            client.resources(ModelRelease.class)
                    .inNamespace(api.namespace())
                    .withName(name)
                    .patch(PatchContext.of(PatchType.JSON), json);
            return Optional.empty();
        } catch (KubernetesClientException e) {
            CliError error = api.translate("patch", Api.MODELRELEASES, e);
            if (e.getCode() == 409 || e.getCode() == 422) {
                return Optional.of(error);
            }
            throw error;
        }
    }

    /** A JSON merge patch of the release: only the fields in {@code patch} are touched. */
    void mergePatch(String name, Map<String, Object> patch) {
        String json = client.getKubernetesSerialization().asJson(patch);
        api.call(
                "patch",
                Api.MODELRELEASES,
                () -> client.resources(ModelRelease.class)
                        .inNamespace(api.namespace())
                        .withName(name)
                        .patch(PatchContext.of(PatchType.JSON_MERGE), json));
    }

    List<ModelRelease> list() {
        List<ModelRelease> all = api.call(
                "list",
                Api.MODELRELEASES,
                () -> client.resources(ModelRelease.class)
                        .inNamespace(api.namespace())
                        .list()
                        .getItems());
        return Printable.cleaned(client.getKubernetesSerialization(), all, ModelRelease.class).stream()
                .sorted(Comparator.comparing(mr -> mr.getMetadata().getName()))
                .toList();
    }

    /** Events whose involvedObject is this release, oldest first. */
    List<Event> events(ModelRelease mr) {
        String name = mr.getMetadata().getName();
        List<Event> all = api.call(
                "list",
                Api.EVENTS,
                () -> client.v1()
                        .events()
                        .inNamespace(api.namespace())
                        .withField("involvedObject.name", name)
                        .list()
                        .getItems());
        // the field selector narrows by name; kind (and uid, when the event has one) are checked here
        return Printable.cleaned(client.getKubernetesSerialization(), all, Event.class).stream()
                .filter(e -> e.getInvolvedObject() != null
                        && name.equals(e.getInvolvedObject().getName())
                        && "ModelRelease".equals(e.getInvolvedObject().getKind()))
                .filter(e -> e.getInvolvedObject().getUid() == null
                        || mr.getMetadata().getUid() == null
                        || e.getInvolvedObject()
                                .getUid()
                                .equals(mr.getMetadata().getUid()))
                .sorted(Comparator.comparing(EventTimes::last))
                .toList();
    }
}
