package dev.fledge.server.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Everything the model server reads from configuration ({@code fledge.*}, or {@code FLEDGE_*} env vars). */
@ConfigMapping(prefix = "fledge")
public interface FledgeConfig {

    /** Name of the ModelRelease this server belongs to; a metrics label and the default model name. */
    String release();

    ModelConfig model();

    GuardConfig guard();

    ServingConfig serving();

    FaultConfig fault();

    FeedbackConfig feedback();

    UpstreamConfig upstream();

    /**
     * The public port: every request that arrives on it counts as {@code public}, whatever {@code X-Fledge-Audience}
     * it carries (the replicas router's public Service {@code <release>} sends here). The operator sets it through
     * {@code FLEDGE_PUBLIC_PORT}, which a release may not set; 0 picks a free port (tests).
     */
    @WithDefault("8081")
    int publicPort();

    /** Where the reason of a failed start is written for Kubernetes (the container's terminationMessagePath). */
    @WithDefault("/dev/termination-log")
    String terminationMessagePath();

    interface ModelConfig {
        /** {@code file:///dir}, {@code https://host/model.zip} or {@code s3://bucket/key}; none in proxy mode. */
        Optional<String> uri();

        /** Version label of the served weights (metrics, {@code X-Fledge-Model-Version}). */
        String version();

        /** Served model name; defaults to {@code fledge.release}. */
        Optional<String> name();

        /** {@code spec.model.format} as the operator passes it; only {@code djl} is served here. */
        Optional<String> format();

        /** Expected SHA-256 (hex) of an {@code https://} or {@code s3://} archive. */
        Optional<String> sha256();

        /** Where {@code https://} archives are downloaded and unpacked. */
        Optional<String> cacheDir();

        /**
         * PEM file of CA certificates trusted for {@code https://} downloads in addition to the JVM's trust store
         * (a private model registry). Without it only the JVM's trust store counts.
         */
        Optional<String> caFile();

        /** Where {@code s3://bucket/key} archives come from, and with which credentials. */
        S3Config s3();

        /** Largest {@code https://} or {@code s3://} archive downloaded; a larger one fails the start. */
        @WithDefault("20G")
        MemorySize maxDownloadSize();

        /** Largest total size of the files an archive unpacks to. */
        @WithDefault("40G")
        MemorySize maxExtractedSize();

        /** Most entries (files and directories) an archive may hold. */
        @WithDefault("10000")
        int maxArchiveEntries();

        /** Most unpacked bytes per archive byte (archives under 1 MiB count as 1 MiB): stops zip bombs. */
        @WithDefault("100")
        int maxCompressionRatio();

        /** Longest an archive download may go without a byte (and its answer take to start); then the start fails. */
        @WithDefault("60s")
        Duration downloadIdleTimeout();

        /** Longest a whole archive download may take; then the start fails. */
        @WithDefault("2h")
        Duration downloadTimeout();
    }

    /**
     * {@code s3://} models. Credentials: the two files when both are set (the operator mounts the Secret of
     * {@code spec.model.s3.secretName} and sets them), else the AWS SDK's default chain
     * (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, web identity token, profile, ...).
     */
    interface S3Config {
        /** An S3-compatible endpoint (MinIO, Ceph, a local test server); AWS's own when unset. */
        Optional<String> endpoint();

        @WithDefault("us-east-1")
        String region();

        /** Path-style addressing ({@code endpoint/bucket/key}); default: on when an endpoint is set. */
        Optional<Boolean> pathStyle();

        /** File holding the access key id. */
        Optional<String> accessKeyIdFile();

        /** File holding the secret access key. */
        Optional<String> secretAccessKeyFile();
    }

    interface GuardConfig {
        /** Path of a YAML policy file that replaces the built-in default policy. */
        Optional<String> policy();

        /** Replace flagged completions with {@link #refusal()}. */
        @WithDefault("false")
        boolean blocking();

        @WithDefault("I can't help with that.")
        String refusal();

        /**
         * A classifier that judges every live output for the metrics in place of the word list: a Llama Guard-style
         * chat model. Unset ({@code fledge.guard.judge.url}): the word list judges them.
         */
        LiveJudgeConfig judge();
    }

    /** {@code fledge.guard.judge.*}: the operator sets these from {@code spec.analysis.safety.judge}. */
    interface LiveJudgeConfig {
        /** Its OpenAI-compatible {@code /v1/chat/completions} URL. */
        Optional<String> url();

        /** The model name sent in each request; unset: none is sent. */
        Optional<String> model();

        /** How long one judgement may take; a slower one counts the output as not judged. */
        @WithDefault("10s")
        Duration timeout();

        /** Judgements under way at once; an output beyond that is counted as not judged (never as safe). */
        @WithDefault("16")
        int maxInFlight();

        /**
         * The category each code of an answer counts as, {@code S1=violence,S11=self-harm,...}; a code not listed
         * counts under its own name. The operator passes the whole mapping (its defaults and the release's own).
         */
        Optional<String> categories();
    }

    interface ServingConfig {
        /** Requests that run inference at the same time (one DJL predictor each). */
        @WithDefault("2")
        int workers();

        /** Requests that may wait for a worker; more than that are refused with 429. */
        @WithDefault("32")
        int queue();

        /** How long a queued request waits for a worker before it is refused with 429. */
        @WithDefault("10s")
        Duration queueTimeout();

        /** PyTorch intra-op threads of each request (one request per worker). */
        @WithDefault("1")
        int inferenceThreads();

        @WithDefault("256")
        int maxTokens();

        @WithDefault("16")
        int defaultMaxTokens();
    }

    /** Test aids: off by default. */
    interface FaultConfig {
        /** Extra latency added to every inference request, in milliseconds. */
        @WithDefault("0")
        long latencyMs();

        /** Fraction (0..1) of inference requests that fail with 503. */
        @WithDefault("0")
        double errorRate();

        /**
         * When set, the answer to every user request (any audience but {@code evaluation}) is this text instead of the
         * model's: a model that is unsafe only on real traffic, which passes the operator's suite. DJL mode, not
         * streamed.
         */
        Optional<String> liveAnswer();
    }

    interface FeedbackConfig {
        /** How many rated response ids each replica remembers ("rated once", best effort). */
        @WithDefault("100000")
        int maxIds();

        /**
         * File holding the HMAC key response ids are signed with (a Secret shared by the release's pods, 32 bytes
         * or more, used as they are). Unset: a random key per process, and ids verify on their own replica only.
         */
        Optional<String> signingKeyFile();

        /** How long after it was served a response can be rated. */
        @WithDefault("24h")
        Duration maxAge();
    }

    /** Proxy mode: an OpenAI-compatible server in the same pod serves the model; this server forwards to it. */
    interface UpstreamConfig {
        /** Base URL of the upstream server ({@code http://127.0.0.1:8000}); unset = DJL mode. */
        Optional<String> url();

        /** How long connecting to the upstream may take. */
        @WithDefault("2s")
        Duration connectTimeout();

        /** The longest the upstream may stay silent: before its answer starts, and between two streamed chunks. */
        @WithDefault("60s")
        Duration timeout();

        /** Path probed (GET, 200 expected) for readiness. */
        @WithDefault("/v1/models")
        String readinessPath();

        /** Largest upstream answer (not streamed) that is read, judged and forwarded. */
        @WithDefault("8M")
        MemorySize maxResponseSize();
    }
}
