package dev.fledge.helm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.testsupport.FledgeChart;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

class PodSecurityTest {

    private static PodSpec pod(FledgeChart chart) {
        return chart.one(Deployment.class).getSpec().getTemplate().getSpec();
    }

    @Test
    void podRunsAsNonRootWithRuntimeDefaultSeccomp() {
        var context = pod(ChartUnderTest.render()).getSecurityContext();

        assertThat(context.getRunAsNonRoot()).isTrue();
        assertThat(context.getRunAsUser()).isEqualTo(10001L);
        assertThat(context.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    }

    @Test
    void containerIsReadOnlyUnprivilegedAndDropsAllCapabilities() {
        Container container = pod(ChartUnderTest.render()).getContainers().get(0);
        SecurityContext context = container.getSecurityContext();

        assertThat(context.getRunAsNonRoot()).isTrue();
        assertThat(context.getReadOnlyRootFilesystem()).isTrue();
        assertThat(context.getAllowPrivilegeEscalation()).isFalse();
        assertThat(context.getPrivileged()).isFalse();
        assertThat(context.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(context.getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(context.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    }

    @Test
    void onlyTmpIsWritableAndItIsABoundedEmptyDir() {
        PodSpec pod = pod(ChartUnderTest.render());

        assertThat(pod.getContainers().get(0).getVolumeMounts())
                .singleElement()
                .satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
        assertThat(pod.getVolumes()).singleElement().satisfies(v -> {
            assertThat(v.getEmptyDir()).isNotNull();
            assertThat(v.getEmptyDir().getSizeLimit()).isNotNull();
        });
    }

    @Test
    void platformAssignedIdsKeepTheHardening() {
        PodSpec pod = pod(ChartUnderTest.render("""
                securityContext: {runAsUser: null, runAsGroup: null, fsGroup: null}
                """));

        assertThat(pod.getSecurityContext().getRunAsUser()).isNull();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getContainers().get(0).getSecurityContext().getReadOnlyRootFilesystem())
                .isTrue();
    }
}
