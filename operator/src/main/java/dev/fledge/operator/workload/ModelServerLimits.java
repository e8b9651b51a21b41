package dev.fledge.operator.workload;

import dev.fledge.api.spec.TenantEnvNames;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The model server's limits that the operator sets on every model container, from its own settings (the chart's
 * {@code operator.modelPods.downloadLimits}), so that no release can raise them: the download and extraction caps of
 * docs/model-server.md, with the same defaults. A release may not set any other {@code FLEDGE_*} variable either
 * (the model server's settings, present and future, are the operator's) except the pod's own capacity tuning
 * ({@code FLEDGE_SERVING_*}) and test aids ({@code FLEDGE_FAULT_*}), nor the JVM option variables, whose
 * {@code -D} system properties outrank environment variables, nor Quarkus/SmallRye settings (a config file of a
 * higher ordinal) or the dynamic linker's {@code LD_*}, nor what chooses DJL's native engine, the programs or the
 * AWS config files ({@link #NATIVE_PREFIXES}, {@link #PROCESS_NAMES}): see {@link #refusal}.
 */
public record ModelServerLimits(
        String maxDownloadSize, String maxExtractedSize, int maxArchiveEntries, int maxCompressionRatio) {
    private static final Pattern SIZE = Pattern.compile("^[1-9][0-9]*[KMGTkmgt]?$");
    /**
     * What a release may still set under FLEDGE_: only its own pod's capacity and test aids. This list and the ones
     * below are derived from {@link TenantEnvNames}, the source of the CRD's CEL rules too.
     */
    public static final List<String> TENANT_PREFIXES =
            TenantEnvNames.names(TenantEnvNames.TENANT_FLEDGE_PREFIXES).stream()
                    .map(p -> "FLEDGE_" + p + "_")
                    .toList();
    /**
     * Single model-server settings a release may set (normalised names): {@code FLEDGE_MODEL_CA_FILE}, a PEM bundle of
     * CAs trusted for its {@code https://} and {@code s3://} downloads in addition to the JVM's (a private registry;
     * mount it at {@code /certs}, as {@code /etc} is refused). It only widens whom this release's own pods trust.
     */
    public static final List<String> TENANT_NAMES = TenantEnvNames.names(TenantEnvNames.TENANT_NAMES);
    /** Each of these sets JVM system properties, which outrank every environment variable in the server's config. */
    public static final List<String> JVM_OPTIONS = TenantEnvNames.jvmOptions();

    public ModelServerLimits {
        for (String size : List.of(maxDownloadSize, maxExtractedSize)) {
            if (size == null || !SIZE.matcher(size.strip()).matches()) {
                throw new IllegalArgumentException("fledge.server.max-download-size and max-extracted-size must be a"
                        + " positive size such as 20G (K, M, G or T), not '" + size + "'");
            }
        }
        if (maxArchiveEntries < 1 || maxCompressionRatio < 1) {
            throw new IllegalArgumentException(
                    "fledge.server.max-archive-entries and max-compression-ratio must be at least 1");
        }
        maxDownloadSize = maxDownloadSize.strip();
        maxExtractedSize = maxExtractedSize.strip();
    }

    /** The model server's own defaults (docs/model-server.md). */
    public static ModelServerLimits standard() {
        return new ModelServerLimits("20G", "40G", 10_000, 100);
    }

    /** The variables the operator sets on the model container. */
    public List<EnvVar> env() {
        return List.of(
                env("FLEDGE_MODEL_MAX_DOWNLOAD_SIZE", maxDownloadSize),
                env("FLEDGE_MODEL_MAX_EXTRACTED_SIZE", maxExtractedSize),
                env("FLEDGE_MODEL_MAX_ARCHIVE_ENTRIES", Integer.toString(maxArchiveEntries)),
                env("FLEDGE_MODEL_MAX_COMPRESSION_RATIO", Integer.toString(maxCompressionRatio)));
    }

    /** The names of the limit variables of {@link #env}. */
    static List<String> names() {
        return standard().env().stream().map(EnvVar::getName).toList();
    }

    /** Whether {@code name} is one of the limit variables of {@link #env}. */
    static boolean isLimit(String name) {
        return names().contains(name);
    }

    /**
     * Whether {@code value} of a limit variable is a limit no higher than {@code limit} (a size such as {@code 20G},
     * K to T by 1024, or a count): a pod template kept from before the limits were raised still holds the lower ones.
     */
    static boolean atMost(String value, String limit) {
        long v = amount(value);
        long l = amount(limit);
        return v > 0 && l > 0 && v <= l;
    }

    /** A size or count as a number; -1 when it is none. */
    private static long amount(String text) {
        if (text == null || !SIZE.matcher(text.strip()).matches()) {
            return -1;
        }
        String t = text.strip().toUpperCase(java.util.Locale.ROOT);
        int shift = "KMGT".indexOf(t.charAt(t.length() - 1));
        String digits = shift < 0 ? t : t.substring(0, t.length() - 1);
        try {
            long n = Long.parseLong(digits);
            long scale = 1L << (10 * (shift + 1));
            return shift < 0 ? n : (n > Long.MAX_VALUE / scale ? Long.MAX_VALUE : n * scale);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE; // more digits than a long: no limit is lower
        }
    }

    /**
     * Config prefixes of the model server's frameworks (Fledge, Quarkus, SmallRye). Matched on the normalised name
     * (upper-case, every other character than a letter or digit as {@code _}), because SmallRye finds
     * {@code fledge.model.max-download-size} and {@code fledge_model_max_download_size} before
     * {@code FLEDGE_MODEL_MAX_DOWNLOAD_SIZE}, and {@code QUARKUS_CONFIG_LOCATIONS} or {@code SMALLRYE_CONFIG_*} could
     * bring a config file whose ordinal outranks the environment.
     */
    public static final List<String> CONFIG_PREFIXES = separated(TenantEnvNames.CONFIG_PREFIXES);

    /**
     * Where DJL finds its native engine, matched on the normalised name like {@link #CONFIG_PREFIXES}: DJL reads
     * {@code DJL_CACHE_DIR}, {@code ENGINE_CACHE_DIR}, {@code PYTORCH_LIBRARY_PATH}, {@code PYTORCH_VERSION},
     * {@code PYTORCH_FLAVOR}, {@code LIBSTDCXX_LIBRARY_PATH} and its {@code ai.djl.*} settings from the environment, so
     * any of them could make it load a library from a volume the tenant mounted; {@code MXNET_} and
     * {@code TENSORFLOW_} are the same for the engines DJL could add.
     */
    public static final List<String> NATIVE_PREFIXES = Stream.concat(
                    separated(TenantEnvNames.NATIVE_PREFIXES).stream(),
                    TenantEnvNames.names(TenantEnvNames.NATIVE_BARE_PREFIXES).stream())
            .toList();

    /**
     * Names (normalised) that choose what the process runs or reads as its own: {@code PATH} (the image's entrypoint
     * is {@code java}, found on it), {@code HOME} (the AWS SDK's {@code ~/.aws/config} may name a
     * {@code credential_process}) and the AWS SDK's own config and credentials file locations.
     */
    public static final List<String> PROCESS_NAMES = TenantEnvNames.names(TenantEnvNames.PROCESS_NAMES);

    /** The dynamic linker's prefixes ({@code LD_}). */
    public static final List<String> LINKER_PREFIXES = separated(TenantEnvNames.LINKER_PREFIXES);

    /** The normalised names of an alternation of prefixes that the CEL rule follows by a separator. */
    private static List<String> separated(String alternation) {
        return TenantEnvNames.names(alternation).stream().map(p -> p + "_").toList();
    }

    /** Upper-case, every character other than an ASCII letter or digit as {@code _}: how SmallRye matches env names. */
    public static String normalised(String name) {
        StringBuilder out = new StringBuilder(name.length());
        for (char c : name.toCharArray()) {
            out.append(
                    (c >= 'a' && c <= 'z')
                            ? (char) (c - 32)
                            : (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ? c : '_');
        }
        return out.toString();
    }

    /**
     * Why a release may not set the environment variable {@code name}; empty when it may. A name whose normalised form
     * starts with {@code _} is refused outright: SmallRye reads {@code _<PROFILE>_<NAME>} as {@code <NAME>} in that
     * profile ({@code _PROD_QUARKUS_CONFIG_LOCATIONS}, {@code %prod.fledge.x}, {@code _DEV_TEST_...}), and a model
     * server variable has no other reason to start so.
     */
    public static Optional<String> refusal(String name) {
        if (name == null) {
            return Optional.empty();
        }
        if (JVM_OPTIONS.contains(name)) {
            return Optional.of(TenantEnvNames.MESSAGE_JVM);
        }
        String n = normalised(name);
        if (n.startsWith("_")) {
            return Optional.of(TenantEnvNames.MESSAGE_LEADING);
        }
        if (CONFIG_PREFIXES.stream().anyMatch(n::startsWith)
                && TENANT_PREFIXES.stream().noneMatch(n::startsWith)
                && !TENANT_NAMES.contains(n)) {
            return Optional.of(TenantEnvNames.MESSAGE_CONFIG);
        }
        if (NATIVE_PREFIXES.stream().anyMatch(n::startsWith) || PROCESS_NAMES.contains(n)) {
            return Optional.of(TenantEnvNames.MESSAGE_NATIVE);
        }
        if (LINKER_PREFIXES.stream().anyMatch(n::startsWith)) {
            return Optional.of(TenantEnvNames.MESSAGE_LINKER);
        }
        return Optional.empty();
    }

    private static EnvVar env(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }
}
