package dev.fledge.operator.k8s;

import dev.fledge.api.ModelRelease;
import dev.fledge.core.rollout.RolloutEvent;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.jboss.logging.Logger;

/** Emits a Kubernetes Event on the ModelRelease for every transition; a failed Event write is logged, not fatal. */
public final class EventRecorder {
    private static final Logger LOG = Logger.getLogger(EventRecorder.class);
    public static final String COMPONENT = "fledge-operator";
    private final KubernetesClient client;
    private final Clock clock;

    public EventRecorder(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    public void record(ModelRelease mr, RolloutEvent e) {
        String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
        var event = new EventBuilder()
                .withNewMetadata()
                .withName(mr.getMetadata().getName() + "."
                        + UUID.randomUUID().toString().substring(0, 13))
                .withNamespace(mr.getMetadata().getNamespace())
                .endMetadata()
                .withNewInvolvedObject()
                .withApiVersion(mr.getApiVersion())
                .withKind(mr.getKind())
                .withName(mr.getMetadata().getName())
                .withNamespace(mr.getMetadata().getNamespace())
                .withUid(mr.getMetadata().getUid())
                .withResourceVersion(mr.getMetadata().getResourceVersion())
                .endInvolvedObject()
                .withType(e.warning() ? "Warning" : "Normal")
                .withReason(e.reason().name())
                .withMessage(e.message().length() > 1000 ? e.message().substring(0, 1000) + "…" : e.message())
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withCount(1)
                .withNewSource()
                .withComponent(COMPONENT)
                .endSource()
                .withReportingComponent(COMPONENT)
                .build();
        try {
            client.v1()
                    .events()
                    .inNamespace(mr.getMetadata().getNamespace())
                    .resource(event)
                    .create();
        } catch (KubernetesClientException ex) {
            LOG.warnf(
                    "could not record event %s on %s/%s: %s",
                    e.reason(),
                    mr.getMetadata().getNamespace(),
                    mr.getMetadata().getName(),
                    ex.getMessage());
        }
    }
}
