package dev.fledge.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fledge.server.config.HttpTransport;
import dev.fledge.server.support.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The server's event loops run on Netty's native epoll transport where its packaged libraries load (Linux). */
@QuarkusTest
@TestProfile(Profiles.ServingV1.class)
class HttpTransportTest {
    private static final Set<String> PACKAGED = Set.of("amd64", "x86_64", "aarch64");

    @Inject
    HttpTransport transport;

    @Test
    void eventLoopsRunOnNativeEpollOnLinux() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        assumeTrue(
                os.contains("linux") && PACKAGED.contains(arch),
                "native epoll is packaged for Linux x86_64 and aarch64 only; this is " + os + " " + arch);

        assertThat(transport.isNative())
                .as("native epoll transport in use; Netty says: %s", transport.unavailabilityCause())
                .isTrue();
    }
}
