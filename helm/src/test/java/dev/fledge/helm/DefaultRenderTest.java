package dev.fledge.helm;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DefaultRenderTest {

    @Test
    void smoke() {
        FledgeChart.Rendered r = FledgeChart.render();
        System.out.println(r.yaml());
        r.objects().forEach(o -> System.out.println(o.getKind() + " " + o.getClass().getSimpleName()));
        assertThat(r.one(Deployment.class).getSpec().getReplicas()).isEqualTo(1);
    }
}
