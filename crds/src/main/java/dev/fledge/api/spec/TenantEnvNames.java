package dev.fledge.api.spec;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The environment variable names a release may not set on its model container: the one source of the CRD's CEL rules
 * on {@code spec.server.template.spec.containers[].env[].name} ({@link #RULE_CONFIG} ... annotation values, so
 * compile-time constants built from the alternations below) and of the operator's check (which derives its lists from
 * the same alternations, {@link #names}). Names are compared as SmallRye matches them: case-insensitive, every
 * character other than a letter or digit standing for a separator, written {@value #SEP} here and {@code _} in the
 * normalised form.
 */
public final class TenantEnvNames {
    private TenantEnvNames() {}

    /** A separator in a name: any character other than a letter or digit (CEL regex, with {@code (?i)}). */
    public static final String SEP = "[^a-z0-9]";

    /** Config prefixes of the model server's frameworks: {@code FLEDGE_}, {@code QUARKUS_}, {@code SMALLRYE_}. */
    public static final String CONFIG_PREFIXES = "fledge|quarkus|smallrye";

    /** What a release may still set under {@code FLEDGE_}: its own pod's capacity and test aids. */
    public static final String TENANT_FLEDGE_PREFIXES = "serving|fault";

    /**
     * Single model-server settings a release may set: {@code FLEDGE_MODEL_CA_FILE}, a PEM bundle of CAs trusted for its
     * {@code https://} and {@code s3://} downloads in addition to the JVM's. It only widens whom its own pods trust.
     */
    public static final String TENANT_NAMES = "fledge" + SEP + "model" + SEP + "ca" + SEP + "file";

    /** Where DJL finds its native engine: prefixes followed by a separator. */
    public static final String NATIVE_PREFIXES = "djl|ai" + SEP + "djl|pytorch|libstdcxx|mxnet|tensorflow";

    /** Where DJL finds its native engine: prefixes matched as they are (no separator after them). */
    public static final String NATIVE_BARE_PREFIXES = "engine" + SEP + "cache" + SEP + "dir";

    /** Names (exact) that choose what the process runs or reads as its own. */
    public static final String PROCESS_NAMES =
            "path|home|aws" + SEP + "config" + SEP + "file|aws" + SEP + "shared" + SEP + "credentials" + SEP + "file";

    /** The dynamic linker's prefix. */
    public static final String LINKER_PREFIXES = "ld";

    /** JVM option variables (exact, case-sensitive as the JVM reads them), as a CEL list's items. */
    public static final String JVM_OPTIONS = "'JAVA_TOOL_OPTIONS', 'JDK_JAVA_OPTIONS', '_JAVA_OPTIONS'";

    public static final String RULE_CONFIG = "!self.matches('^(?i)(" + CONFIG_PREFIXES + ")" + SEP + "')"
            + " || self.matches('^(?i)fledge" + SEP + "(" + TENANT_FLEDGE_PREFIXES + ")" + SEP + "')"
            + " || self.matches('^(?i)(" + TENANT_NAMES + ")$')";
    public static final String MESSAGE_CONFIG = "FLEDGE_*, QUARKUS_* and SMALLRYE_* variables (in any spelling,"
            + " such as fledge.x) configure the model server and are set by the operator; a release may set only"
            + " FLEDGE_SERVING_*, FLEDGE_FAULT_* and FLEDGE_MODEL_CA_FILE";

    public static final String RULE_LEADING = "!self.matches('^[^A-Za-z0-9]')";
    public static final String MESSAGE_LEADING = "names that start with another character than a letter or digit are"
            + " refused: SmallRye reads _PROD_FLEDGE_X and %prod.fledge.x as FLEDGE_X of a profile";

    public static final String RULE_LINKER = "!self.matches('^(?i)(" + LINKER_PREFIXES + ")" + SEP + "')";
    public static final String MESSAGE_LINKER =
            "LD_* variables steer the dynamic linker (LD_PRELOAD runs any library); not allowed in a release";

    public static final String RULE_NATIVE = "!self.matches('^(?i)(" + NATIVE_PREFIXES + ")" + SEP + "')"
            + " && !self.matches('^(?i)(" + NATIVE_BARE_PREFIXES + ")')"
            + " && !self.matches('^(?i)(" + PROCESS_NAMES + ")$')";
    public static final String MESSAGE_NATIVE = "DJL_*, AI_DJL_*, ENGINE_CACHE_DIR, PYTORCH_*, LIBSTDCXX_*, MXNET_*,"
            + " TENSORFLOW_*, PATH, HOME, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE choose which native library"
            + " or program the model server loads; they are the image's, not a release's";

    public static final String RULE_JVM = "!(self in [" + JVM_OPTIONS + "])";
    public static final String MESSAGE_JVM =
            "JVM option variables could override the model server's limits; not allowed in a release";

    /**
     * The names of one alternation above in normalised form (upper case, {@code _} for a separator); a prefix that
     * the rule follows by a separator gets its trailing {@code _} from the caller.
     */
    public static List<String> names(String alternation) {
        return Arrays.stream(alternation.split("\\|"))
                .map(a -> a.replace(SEP, "_").toUpperCase(Locale.ROOT))
                .toList();
    }

    /** The names of {@link #JVM_OPTIONS}, as written. */
    public static List<String> jvmOptions() {
        return Arrays.stream(JVM_OPTIONS.split(","))
                .map(s -> s.strip().replace("'", ""))
                .toList();
    }
}
