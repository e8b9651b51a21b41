package dev.fledge.server.model;

import dev.fledge.server.config.FledgeConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Loads the configured model version when the application starts, warms it up, and only then reports ready.
 * A model that cannot be loaded stops the start with a message that says why.
 */
@ApplicationScoped
public class ModelRuntime {
    private static final Logger LOG = Logger.getLogger(ModelRuntime.class);

    private final FledgeConfig config;
    private volatile ServedModel model;

    public ModelRuntime(FledgeConfig config) {
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        if (config.upstream().url().isPresent()) {
            LOG.infof(
                    "proxy mode: %s version %s is served by the upstream server %s",
                    modelName(),
                    config.model().version(),
                    config.upstream().url().get());
            return;
        }
        try {
            load();
        } catch (ModelLoadException e) {
            TerminationMessage.write(Path.of(config.terminationMessagePath()), e.getMessage());
            throw e;
        }
    }

    private void load() {
        long start = System.nanoTime();
        new DjlDefaults().apply();
        var m = config.model();
        m.format().filter(f -> !f.equalsIgnoreCase("djl")).ifPresent(f -> {
            throw new ModelLoadException("model format '" + f + "' is not served by the Fledge model server, which"
                    + " serves djl (weights + descriptor); run a server for that format with the same HTTP contract");
        });
        Path cache =
                m.cacheDir().map(Path::of).orElse(Path.of(System.getProperty("java.io.tmpdir"), "fledge-model-cache"));
        String uri = m.uri()
                .orElseThrow(() -> new ModelLoadException("fledge.model.uri (FLEDGE_MODEL_URI) is"
                        + " required unless fledge.upstream.url names the server to forward to"));
        Path dir = new ModelLocator(
                        cache,
                        Map.of(
                                "https",
                                new HttpsArchiveFetcher(m.caFile().map(Path::of), m.downloadIdleTimeout()),
                                "s3",
                                new S3ArchiveFetcher(m.s3(), m.caFile().map(Path::of))),
                        new DownloadLimits(
                                        m.maxDownloadSize().asLongValue(),
                                        m.maxExtractedSize().asLongValue(),
                                        m.maxArchiveEntries(),
                                        m.maxCompressionRatio(),
                                        m.downloadIdleTimeout(),
                                        m.downloadTimeout())
                                .cappedBy(System::getenv))
                .resolve(uri, m.sha256());
        var serving = config.serving();
        ServedModel loaded = new ModelLoader(
                        serving.workers(), serving.queue(), serving.queueTimeout(), serving.inferenceThreads())
                .load(dir);
        loaded.warmUp();
        model = loaded;
        LOG.infof(
                "serving %s version %s (%s) from %s, ready after %d ms",
                modelName(),
                m.version(),
                loaded.descriptor().architecture(),
                dir,
                (System.nanoTime() - start) / 1_000_000);
    }

    /** Last at shutdown: after the listeners have drained their requests in flight ({@code PublicPort.close}). */
    void onStop(@Observes @Priority(Interceptor.Priority.LIBRARY_AFTER) ShutdownEvent event) {
        ServedModel m = model;
        model = null;
        if (m != null) {
            m.close();
        }
    }

    public boolean ready() {
        return model != null;
    }

    public Optional<ServedModel> model() {
        return Optional.ofNullable(model);
    }

    public String modelName() {
        return config.model().name().orElse(config.release());
    }

    public String version() {
        return config.model().version();
    }
}
