package dev.fledge.helm;

import com.marcnuri.helm.Helm;
import dev.fledge.testsupport.FledgeChart;
import java.nio.file.Path;

/** The chart as these tests render it: {@code fledge.chart.dir}, release namespace fledge-system, Kubernetes 1.31.0. */
final class ChartUnderTest {
    static final String NAMESPACE = "fledge-system";
    static final String KUBE_VERSION = "1.31.0";

    private ChartUnderTest() {}

    static Path dir() {
        return Path.of(System.getProperty("fledge.chart.dir", "fledge"))
                .toAbsolutePath()
                .normalize();
    }

    static Helm helm() {
        return new Helm(dir());
    }

    /** Renders the chart with its defaults. */
    static FledgeChart render() {
        return render("");
    }

    /** Renders the chart with a values file holding {@code valuesYaml} (on top of the defaults). */
    static FledgeChart render(String valuesYaml) {
        return FledgeChart.render(dir(), NAMESPACE, KUBE_VERSION, valuesYaml);
    }

    /** The raw {@code helm template} output; throws with Helm's message when Helm refuses. */
    static String renderText(String valuesYaml) {
        return FledgeChart.renderText(dir(), NAMESPACE, KUBE_VERSION, valuesYaml);
    }
}
