package dev.fledge.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.Release;
import dev.fledge.testsupport.FledgeChart;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class NotesTest {

    /** The output of a client-only dry-run install, which ends with the rendered NOTES.txt. */
    private static String notes(Map<String, String> values) {
        InstallCommand install = ChartUnderTest.helm()
                .install()
                .withName(FledgeChart.RELEASE)
                .withNamespace(ChartUnderTest.NAMESPACE)
                .withKubeVersion(ChartUnderTest.KUBE_VERSION)
                .clientOnly()
                .dryRun();
        values.forEach(install::set);
        Release release = install.call();
        return release.getOutput();
    }

    @Test
    void notesTellTheUserHowToCheckTheInstallAndReleaseAModel() {
        String notes = notes(Map.of());

        assertThat(notes)
                .contains("kubectl -n fledge-system rollout status deployment/fledge")
                .contains("kubectl get crd modelreleases.fledge.dev")
                .contains("kubectl get mrel -A --watch")
                .contains("fledge.dev/action=promote")
                .contains("all namespaces")
                .contains("docs/gitops.md");
    }

    @Test
    void notesNameTheWatchedNamespaces() {
        assertThat(notes(new TreeMap<>(Map.of("watchNamespaces[0]", "ml", "watchNamespaces[1]", "ml-staging"))))
                .contains("these namespaces only: ml, ml-staging");
    }
}
