package dev.fledge.server.guard;

import dev.fledge.server.config.FledgeConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.nio.file.Path;

/** Makes the one {@link Guard} of this server: the built-in policy unless {@code fledge.guard.policy} names a file. */
@ApplicationScoped
public class GuardProducer {

    @Produces
    @ApplicationScoped
    Guard guard(FledgeConfig config) {
        var loader = new PolicyLoader();
        return config.guard().policy().map(Path::of).map(loader::fromFile).orElseGet(loader::defaultPolicy);
    }
}
