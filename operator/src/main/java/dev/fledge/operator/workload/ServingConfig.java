package dev.fledge.operator.workload;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AnalysisSpec;
import dev.fledge.api.spec.JudgeKind;
import dev.fledge.api.spec.JudgeSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.spec.SafetySpec;
import dev.fledge.api.status.ServingStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The serving configuration of a spec: every field that goes into the model pods (model name, version, URI,
 * format, sha256, S3 store; server image, port, upstream and template, with the operator's defaults), and the hash of
 * all but the version. A field left unset is left out of the hash, so a new field keeps the hashes of the releases
 * that do not set it (no rollout, no restart after an operator upgrade). Replicas are not part of it. A spec whose
 * configuration hash differs from the canary's starts a rollout; the stable track runs the configuration recorded at
 * its promotion ({@code status.stable}).
 */
public final class ServingConfig {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private final ServerDefaults defaults;

    public ServingConfig(ServerDefaults defaults) {
        this.defaults = defaults;
    }

    /** The configuration the spec asks for, with its hash. */
    public ServingStatus of(ModelRelease mr) {
        ModelSpec model = mr.getSpec().getModel();
        ServingStatus s = new ServingStatus();
        s.setVersion(model.getVersion());
        s.setName(model.getName());
        s.setUri(model.getUri());
        s.setFormat(model.getFormat());
        s.setSha256(model.getSha256());
        s.setS3(ModelStoreS3.nonEmpty(model.getS3()).map(ServingConfig::copy).orElse(null));
        s.setImage(defaults.image(mr.getSpec().getServer()));
        s.setPort(defaults.port(mr.getSpec().getServer()));
        s.setUpstream(defaults.upstream(mr.getSpec().getServer()));
        if (mr.getSpec().getServer() != null && mr.getSpec().getServer().getTemplate() != null) {
            s.setTemplate(copy(mr.getSpec().getServer().getTemplate()));
        }
        s.setLiveJudge(liveJudge(mr));
        s.setConfigHash(hash(s));
        return s;
    }

    /**
     * The judge the model pods send live outputs to: {@code spec.analysis.safety.judge} when it asks for that
     * ({@code liveOutputs}, kind llamaGuard, {@code online: true}), without that flag; otherwise null (the word list).
     */
    public static JudgeSpec liveJudge(ModelRelease mr) {
        AnalysisSpec analysis = mr.getSpec().getAnalysis();
        return liveJudge(analysis == null ? null : analysis.getSafety());
    }

    /** As {@link #liveJudge(ModelRelease)}, from the release's safety gate. */
    public static JudgeSpec liveJudge(SafetySpec safety) {
        JudgeSpec judge = safety == null ? null : safety.getJudge();
        if (judge == null
                || !Boolean.TRUE.equals(judge.getLiveOutputs())
                || !Boolean.TRUE.equals(safety.getOnline())
                || judge.getKind() != JudgeKind.LLAMA_GUARD) {
            return null;
        }
        JudgeSpec live = copy(judge);
        live.setLiveOutputs(null);
        return live;
    }

    /**
     * {@code s} with another version and URI (what an older Deployment ran), without the checksum, which belongs to
     * the spec's version; the hash stays.
     */
    static ServingStatus withVersion(ServingStatus s, String version, String uri) {
        ServingStatus c = JSON.convertValue(s, ServingStatus.class);
        if (!version.equals(s.getVersion())) {
            c.setSha256(null);
        }
        c.setVersion(version);
        c.setUri(uri);
        return c;
    }

    /** SHA-256 (first 16 hex digits) of the configuration without its version: stable key order, so stable hashes. */
    static String hash(ServingStatus s) {
        ServingStatus c = JSON.convertValue(s, ServingStatus.class);
        c.setVersion(null);
        c.setConfigHash(null);
        try {
            return digest(JSON.writeValueAsString(c));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a serving configuration always serializes", e);
        }
    }

    /** SHA-256 of {@code text}, its first 16 hex digits. */
    static String digest(String text) {
        try {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes))
                    .substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T copy(T o) {
        return (T) JSON.convertValue(o, o.getClass());
    }
}
