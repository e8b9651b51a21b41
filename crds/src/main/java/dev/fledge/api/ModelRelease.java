package dev.fledge.api;

import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.status.ModelReleaseStatus;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A staged release of one ML model: the desired version in {@code spec.model.version} is brought to internal
 * users, then to a closed group, then to the public in weight steps, gated by analysis.
 */
@Group(ModelRelease.GROUP)
@Version(ModelRelease.VERSION)
@Kind("ModelRelease")
@Plural("modelreleases")
@Singular("modelrelease")
@ShortNames("mrel")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Stage", jsonPath = ".status.stage", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Canary%",
        jsonPath = ".status.canaryWeight",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
        name = "Stable",
        jsonPath = ".status.stableVersion",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Canary",
        jsonPath = ".status.canaryVersion",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Age",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(
        name = "Gate",
        jsonPath = ".status.lastGate",
        type = AdditionalPrinterColumn.Type.STRING,
        priority = 1)
@AdditionalPrinterColumn(
        name = "Message",
        jsonPath = ".status.message",
        type = AdditionalPrinterColumn.Type.STRING,
        priority = 1)
public class ModelRelease extends CustomResource<ModelReleaseSpec, ModelReleaseStatus> implements Namespaced {
    public static final String GROUP = "fledge.dev";
    public static final String VERSION = "v1alpha1";

    @Override
    protected ModelReleaseStatus initStatus() {
        return new ModelReleaseStatus();
    }
}
