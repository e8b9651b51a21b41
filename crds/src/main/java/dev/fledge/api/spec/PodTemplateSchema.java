package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

/**
 * Schema of {@code spec.server.template}: the allow-list of pod template fields a tenant may set (docs/security.md).
 * Any other field (serviceAccountName, hostNetwork, securityContext, hostPath volumes, more containers, probes,
 * command, ...) is not in the schema: the API server rejects it with the field's path under strict field validation
 * (kubectl's default) and prunes it otherwise; the operator rejects what an older stored object still holds.
 * Schema only: the Java field stays a PodTemplateSpec.
 */
final class PodTemplateSchema {
    @JsonPropertyDescription("Extra labels and annotations of the model pods.")
    public Metadata metadata;

    @JsonPropertyDescription("The pod fields a release may set.")
    public Spec spec;

    private PodTemplateSchema() {}

    static final class Metadata {
        @JsonPropertyDescription("Extra pod labels. Keys under fledge.dev/ are the operator's.")
        @ValidationRule(
                value = "self.all(k, !k.startsWith('fledge.dev/'))",
                message = "labels under fledge.dev/ are set by the operator")
        @Size(max = 64)
        public Map<String, String> labels;

        @JsonPropertyDescription("Extra pod annotations. AppArmor and seccomp annotations are not allowed.")
        @ValidationRule(
                value = "self.all(k, !k.startsWith('container.apparmor.security.beta.kubernetes.io/')"
                        + " && !k.startsWith('seccomp.security.alpha.kubernetes.io/')"
                        + " && !k.startsWith('container.seccomp.security.alpha.kubernetes.io/'))",
                message = "AppArmor and seccomp annotations are set by the operator")
        @Size(max = 64)
        public Map<String, String> annotations;
    }

    @ValidationRule(value = HostPathMounts.RULE, message = HostPathMounts.MESSAGE)
    static final class Spec {
        @JsonPropertyDescription("Settings of the model container; only the container named model-server.")
        @Size(max = 1)
        public List<ModelContainer> containers;

        @JsonPropertyDescription("Node labels the model pods must run on.")
        public Map<String, String> nodeSelector;

        @JsonPropertyDescription("Tolerations of the model pods (core/v1 Toleration).")
        @Size(max = 20)
        public List<Toleration> tolerations;

        @JsonPropertyDescription("Affinity of the model pods (core/v1 Affinity).")
        @SchemaFrom(type = OpaqueObject.class)
        @PreserveUnknownFields
        public Object affinity;

        @JsonPropertyDescription(
                "Volumes of the safe types: emptyDir, configMap, secret, downwardAPI, persistentVolumeClaim, ephemeral, and"
                        + " hostPath under a prefix the operator allows, mounted read-only.")
        @Size(max = 20)
        public List<Volume> volumes;
    }

    static final class Toleration {
        @JsonPropertyDescription("Taint key.")
        public String key;

        @JsonPropertyDescription("Exists or Equal.")
        public String operator;

        @JsonPropertyDescription("Taint value.")
        public String value;

        @JsonPropertyDescription("NoSchedule, PreferNoSchedule or NoExecute.")
        public String effect;

        @JsonPropertyDescription("How long a NoExecute taint is tolerated.")
        public Long tolerationSeconds;
    }

    static final class ModelContainer {
        @JsonPropertyDescription("Must be model-server.")
        @Required
        @Pattern("^model-server$")
        public String name;

        @JsonPropertyDescription("Resource requests and limits (core/v1 ResourceRequirements).")
        @SchemaFrom(type = OpaqueObject.class)
        @PreserveUnknownFields
        public Object resources;

        @JsonPropertyDescription(
                "Extra environment variables (core/v1 EnvVar), not FLEDGE_* (see name). No envFrom: a ConfigMap or"
                        + " Secret could bring any name.")
        @Size(max = 100)
        public List<EnvVar> env;

        @JsonPropertyDescription("Mounts of the volumes above.")
        @Size(max = 20)
        public List<VolumeMount> volumeMounts;

        @JsonPropertyDescription(
                "Entrypoint of the model container; only with server.upstream (another server's image, told here which"
                        + " model to serve).")
        @Size(max = 64)
        public List<String> command;

        @JsonPropertyDescription(
                "Arguments of the model container (vLLM: --model, --served-model-name...); only with server.upstream.")
        @Size(max = 128)
        public List<String> args;
    }

    static final class EnvVar {
        @JsonPropertyDescription(
                "Variable name. FLEDGE_*, QUARKUS_* and SMALLRYE_* names in any spelling (fledge.x, Fledge-X: upper-case"
                        + " with every other character than a letter or digit as _) configure the model server and are"
                        + " the operator's, except FLEDGE_SERVING_* (the pod's capacity), FLEDGE_FAULT_* (test aids) and"
                        + " FLEDGE_MODEL_CA_FILE (a private CA for https:// and s3:// downloads, for example /certs/ca.crt);"
                        + " LD_* (the dynamic linker), JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS and _JAVA_OPTIONS are refused"
                        + " too, as are DJL_*, AI_DJL_*, ENGINE_CACHE_DIR, PYTORCH_*, LIBSTDCXX_*, MXNET_*, TENSORFLOW_*,"
                        + " PATH, HOME, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE (where native code and programs"
                        + " come from), and any name that starts with another character than a letter or digit (SmallRye"
                        + " reads _PROD_FLEDGE_X as FLEDGE_X of the prod profile).")
        @Required
        @Size(max = 256)
        @ValidationRule(value = TenantEnvNames.RULE_CONFIG, message = TenantEnvNames.MESSAGE_CONFIG)
        @ValidationRule(value = TenantEnvNames.RULE_LEADING, message = TenantEnvNames.MESSAGE_LEADING)
        @ValidationRule(value = TenantEnvNames.RULE_LINKER, message = TenantEnvNames.MESSAGE_LINKER)
        @ValidationRule(value = TenantEnvNames.RULE_NATIVE, message = TenantEnvNames.MESSAGE_NATIVE)
        @ValidationRule(value = TenantEnvNames.RULE_JVM, message = TenantEnvNames.MESSAGE_JVM)
        public String name;

        @JsonPropertyDescription("Literal value.")
        public String value;

        @JsonPropertyDescription(
                "A value from a field of the pod, a resource, a ConfigMap or a Secret of the release's namespace.")
        public EnvVarSource valueFrom;
    }

    static final class EnvVarSource {
        @JsonPropertyDescription("core/v1 ObjectFieldSelector.")
        @SchemaFrom(type = OpaqueObject.class)
        @PreserveUnknownFields
        public Object fieldRef;

        @JsonPropertyDescription("core/v1 ResourceFieldSelector.")
        @SchemaFrom(type = OpaqueObject.class)
        @PreserveUnknownFields
        public Object resourceFieldRef;

        @JsonPropertyDescription("core/v1 ConfigMapKeySelector.")
        @SchemaFrom(type = OpaqueObject.class)
        @PreserveUnknownFields
        public Object configMapKeyRef;

        @JsonPropertyDescription("core/v1 SecretKeySelector.")
        @SchemaFrom(type = OpaqueObject.class)
        @PreserveUnknownFields
        public Object secretKeyRef;
    }

    static final class VolumeMount {
        @JsonPropertyDescription("Name of a volume above (63 characters at most).")
        @Required
        @Size(max = 63)
        public String name;

        @JsonPropertyDescription("Where it is mounted: an absolute path off the image's code and the operator's own"
                + " mounts, not at, below or above /deployments, /usr, /lib, /lib64, /bin, /sbin, /etc, /opt/java,"
                + " /opt/fledge, /tmp/djl-cache, /var/run/fledge or /run/fledge (the operator mounts the release's response-id key"
                + " there) (for example /data, /models, a directory below /tmp other than /tmp/djl-cache; /tmp itself only"
                + " from an emptyDir, which the operator checks).")
        @Required
        @Size(max = 4096)
        @ValidationRule(value = "self.startsWith('/')", message = "mountPath must be an absolute path")
        @ValidationRule(
                value = "!self.matches('(^|/)[.][.]?(/|$)')",
                message = "mountPath may not hold . or .. segments")
        @ValidationRule(
                value =
                        "!self.matches('^/+(deployments|usr|lib|lib64|bin|sbin|etc|opt/+java|opt/+fledge|tmp/+djl-cache)(/|$)')"
                                + " && !self.matches('^/+(opt/*)?$')",
                message = "the image's code and runtime live at /deployments, /usr, /lib, /lib64, /bin, /sbin, /etc,"
                        + " /opt/java, /opt/fledge and /tmp/djl-cache; mount volumes elsewhere (/data, /models, below /tmp but not in"
                        + " /tmp/djl-cache)")
        @ValidationRule(
                value = "!self.matches('^/+(var/+)?run/+fledge(/|$)') && !self.matches('^/+(var|(var/+)?run)/*$')",
                message = "the operator mounts the release's response-id key under /var/run/fledge (/run/fledge);"
                        + " mount volumes elsewhere (/data, /models, below /tmp but not in /tmp/djl-cache)")
        public String mountPath;

        @JsonPropertyDescription("Mount read-only; required (true) for a hostPath volume.")
        public Boolean readOnly;

        @JsonPropertyDescription("Sub-path of the volume to mount.")
        public String subPath;
    }

    @ValidationRule(
            value =
                    "[has(self.emptyDir), has(self.configMap), has(self.secret), has(self.downwardAPI),"
                            + " has(self.persistentVolumeClaim), has(self.ephemeral), has(self.hostPath)].filter(x, x).size() == 1",
            message = "a volume needs exactly one of emptyDir, configMap, secret, downwardAPI, persistentVolumeClaim,"
                    + " ephemeral or (where the operator allows its path) hostPath; other types are not allowed")
    static final class Volume {
        @JsonPropertyDescription("Volume name, at most 63 characters (the API server holds the pod to a DNS label).")
        @Required
        @Size(max = 63)
        public String name;

        @JsonPropertyDescription("core/v1 EmptyDirVolumeSource.")
        @SchemaFrom(type = OpaqueObject.class)
        @PreserveUnknownFields
        public Object emptyDir;

        @JsonPropertyDescription("core/v1 ConfigMapVolumeSource.")
        @SchemaFrom(type = OpaqueObject.class)
        @PreserveUnknownFields
        public Object configMap;

        @JsonPropertyDescription("core/v1 SecretVolumeSource.")
        @SchemaFrom(type = OpaqueObject.class)
        @PreserveUnknownFields
        public Object secret;

        @JsonPropertyDescription("core/v1 DownwardAPIVolumeSource.")
        @SchemaFrom(type = OpaqueObject.class)
        @PreserveUnknownFields
        public Object downwardAPI;

        @JsonPropertyDescription("core/v1 PersistentVolumeClaimVolumeSource.")
        @SchemaFrom(type = OpaqueObject.class)
        @PreserveUnknownFields
        public Object persistentVolumeClaim;

        @JsonPropertyDescription(
                "core/v1 EphemeralVolumeSource: a new, empty claim only (no volumeName, selector, dataSource or dataSourceRef).")
        public Ephemeral ephemeral;

        @JsonPropertyDescription(
                "A node directory, mounted read-only only (every volumeMount of it sets readOnly: true): the operator rejects it unless its path is under one of the operator-wide allowed host path prefixes (none by default).")
        public HostPath hostPath;
    }

    /**
     * A new claim only: {@code volumeName} would bind an Available PersistentVolume (another team's data included),
     * {@code selector} the same by labels, {@code dataSource}/{@code dataSourceRef} copy another claim or a snapshot
     * (security review 7, MED 4). None is in the schema.
     */
    static final class Ephemeral {
        @JsonPropertyDescription("The claim to create for the pod.")
        @Required
        public ClaimTemplate volumeClaimTemplate;
    }

    static final class ClaimTemplate {
        @JsonPropertyDescription("Spec of the new claim.")
        @Required
        public ClaimSpec spec;
    }

    static final class ClaimSpec {
        @JsonPropertyDescription("Access modes of the claim.")
        public List<String> accessModes;

        @JsonPropertyDescription("core/v1 VolumeResourceRequirements (the claim's size).")
        @SchemaFrom(type = OpaqueObject.class)
        @PreserveUnknownFields
        public Object resources;

        @JsonPropertyDescription("StorageClass of the claim; unset for the cluster's default class. Not empty: an empty"
                + " class binds any matching pre-provisioned volume, which may hold another team's data.")
        @Size(min = 1)
        public String storageClassName;

        @JsonPropertyDescription("Filesystem or Block.")
        public String volumeMode;
    }

    static final class HostPath {
        @JsonPropertyDescription("Directory on the node.")
        @Required
        public String path;

        @JsonPropertyDescription("Directory or DirectoryOrCreate.")
        @Pattern("^(Directory|DirectoryOrCreate)$")
        public String type;
    }
}
