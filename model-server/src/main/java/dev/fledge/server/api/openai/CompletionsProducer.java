package dev.fledge.server.api.openai;

import dev.fledge.server.api.completion.DjlCompletions;
import dev.fledge.server.config.FledgeConfig;
import dev.fledge.server.proxy.ProxyCompletions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;

/** Proxy mode when {@code fledge.upstream.url} is set, otherwise the DJL model of this process. */
@ApplicationScoped
public class CompletionsProducer {

    @Produces
    @ApplicationScoped
    Completions completions(FledgeConfig config, Instance<DjlCompletions> djl, Instance<ProxyCompletions> proxy) {
        return config.upstream().url().isPresent() ? proxy.get() : djl.get();
    }
}
