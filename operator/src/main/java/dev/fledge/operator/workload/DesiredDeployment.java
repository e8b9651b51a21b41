package dev.fledge.operator.workload;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.ModelSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Deployment of one track ({@code stable} or {@code canary}) running one model version: the user's pod
 * template from {@code spec.server.template}, with Fledge's container settings, labels and environment laid over it.
 */
public final class DesiredDeployment {
    private final ServerDefaults defaults;

    public DesiredDeployment(ServerDefaults defaults) {
        this.defaults = defaults;
    }

    public Deployment build(ModelRelease mr, String track, String version, String uri, int replicas) {
        Map<String, String> selector = Map.of(Labels.RELEASE, mr.getMetadata().getName(), Labels.TRACK, track);
        Map<String, String> podLabels = new LinkedHashMap<>(selector);
        podLabels.put(Labels.VERSION, version);
        PodTemplateSpec base = mr.getSpec().getServer() == null || mr.getSpec().getServer().getTemplate() == null
                ? new PodTemplateSpec() : mr.getSpec().getServer().getTemplate();
        PodTemplateSpec template = new PodTemplateSpecBuilder(base)
                .editOrNewMetadata().addToLabels(podLabels).endMetadata()
                .editOrNewSpec().withContainers(containers(mr, base, version, uri)).endSpec()
                .build();
        return new DeploymentBuilder()
                .withMetadata(Owned.meta(mr, Names.deployment(mr, track), Map.of(Labels.TRACK, track, Labels.VERSION, version)))
                .withNewSpec().withReplicas(replicas).withNewSelector().withMatchLabels(selector).endSelector()
                .withTemplate(template).endSpec()
                .build();
    }

    private List<Container> containers(ModelRelease mr, PodTemplateSpec base, String version, String uri) {
        List<Container> out = new ArrayList<>();
        Container mine = null;
        if (base.getSpec() != null && base.getSpec().getContainers() != null) {
            for (Container c : base.getSpec().getContainers()) {
                if (ServerDefaults.CONTAINER.equals(c.getName())) {
                    mine = c;
                } else {
                    out.add(c);
                }
            }
        }
        out.add(0, modelServer(mr, mine == null ? new Container() : mine, version, uri));
        return out;
    }

    private Container modelServer(ModelRelease mr, Container user, String version, String uri) {
        int port = defaults.port(mr.getSpec().getServer());
        ModelSpec model = mr.getSpec().getModel();
        List<EnvVar> env = new ArrayList<>();
        env.add(new EnvVarBuilder().withName("FLEDGE_RELEASE").withValue(mr.getMetadata().getName()).build());
        env.add(new EnvVarBuilder().withName("FLEDGE_MODEL_NAME").withValue(model.getName()).build());
        env.add(new EnvVarBuilder().withName("FLEDGE_MODEL_VERSION").withValue(version).build());
        env.add(new EnvVarBuilder().withName("FLEDGE_MODEL_URI").withValue(uri).build());
        if (model.getFormat() != null) {
            env.add(new EnvVarBuilder().withName("FLEDGE_MODEL_FORMAT").withValue(model.getFormat().wireName()).build());
        }
        if (model.getSha256() != null && version.equals(model.getVersion())) {
            env.add(new EnvVarBuilder().withName("FLEDGE_MODEL_SHA256").withValue(model.getSha256()).build());
        }
        env.add(new EnvVarBuilder().withName("QUARKUS_HTTP_PORT").withValue(String.valueOf(port)).build());
        if (user.getEnv() != null) {
            user.getEnv().stream().filter(e -> env.stream().noneMatch(m -> m.getName().equals(e.getName()))).forEach(env::add);
        }
        ContainerBuilder b = new ContainerBuilder(user).withName(ServerDefaults.CONTAINER)
                .withImage(defaults.image(mr.getSpec().getServer())).withEnv(env)
                .withPorts().addNewPort().withName("http").withContainerPort(port).withProtocol("TCP").endPort();
        if (user.getReadinessProbe() == null) {
            b.withReadinessProbe(new ProbeBuilder().withNewHttpGet().withPath("/q/health/ready").withPort(new IntOrString("http"))
                    .endHttpGet().withPeriodSeconds(5).build());
        }
        if (user.getLivenessProbe() == null) {
            b.withLivenessProbe(new ProbeBuilder().withNewHttpGet().withPath("/q/health/live").withPort(new IntOrString("http"))
                    .endHttpGet().withPeriodSeconds(10).withFailureThreshold(6).build());
        }
        return b.build();
    }
}
