package dev.fledge.operator.validation;

import java.util.Map;

/**
 * The fields of {@code spec.server.template} a tenant may set, as a tree: a key maps to {@link #ANY} (any value),
 * to a nested allow-list (an object, or each element of a list of objects). It mirrors the CRD schema
 * ({@code PodTemplateSchema}) so that an object stored before the schema existed is held to the same list.
 */
final class PodTemplateAllowList {
    /** Any value below this key. */
    static final Map<String, Object> ANY = Map.of();

    /**
     * An ephemeral volume's claim: size, access modes, class, mode. Never {@code volumeName} (it binds an Available
     * PersistentVolume, another team's data included), {@code selector} (the same by labels), or
     * {@code dataSource}/{@code dataSourceRef} (a copy of another claim or snapshot), nor claim labels or annotations
     * (provisioners read them): security review 7, MED 4.
     */
    static final Map<String, Object> EPHEMERAL = Map.of(
            "volumeClaimTemplate",
            Map.of("spec", Map.of("accessModes", ANY, "resources", ANY, "storageClassName", ANY, "volumeMode", ANY)));

    static final Map<String, Object> VOLUME = Map.of(
            "name",
            ANY,
            "emptyDir",
            ANY,
            "configMap",
            ANY,
            "secret",
            ANY,
            "downwardAPI",
            ANY,
            "persistentVolumeClaim",
            ANY,
            "ephemeral",
            EPHEMERAL,
            "hostPath",
            Map.of("path", ANY, "type", ANY));

    static final Map<String, Object> TEMPLATE = Map.of(
            "metadata", Map.of("labels", ANY, "annotations", ANY),
            "spec",
                    Map.of(
                            "containers",
                                    Map.of(
                                            "name",
                                            ANY,
                                            "resources",
                                            ANY,
                                            "env",
                                            Map.of(
                                                    "name",
                                                    ANY,
                                                    "value",
                                                    ANY,
                                                    "valueFrom",
                                                    Map.of(
                                                            "fieldRef",
                                                            ANY,
                                                            "resourceFieldRef",
                                                            ANY,
                                                            "configMapKeyRef",
                                                            ANY,
                                                            "secretKeyRef",
                                                            ANY)),
                                            "volumeMounts",
                                            Map.of("name", ANY, "mountPath", ANY, "readOnly", ANY, "subPath", ANY),
                                            // only with spec.server.upstream (PodTemplatePolicy)
                                            "command",
                                            ANY,
                                            "args",
                                            ANY),
                            "nodeSelector", ANY,
                            "tolerations",
                                    Map.of(
                                            "key",
                                            ANY,
                                            "operator",
                                            ANY,
                                            "value",
                                            ANY,
                                            "effect",
                                            ANY,
                                            "tolerationSeconds",
                                            ANY),
                            "affinity", ANY,
                            "volumes", VOLUME));

    private PodTemplateAllowList() {}
}
