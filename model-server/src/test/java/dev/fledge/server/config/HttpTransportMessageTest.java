package dev.fledge.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** What the server says at start about its transport: a fallback names Netty's reason, a choice says it was one. */
class HttpTransportMessageTest {

    @Test
    void aFallbackNamesTheReasonNettyGave() {
        String said = HttpTransport.describe(
                false, true, new UnsatisfiedLinkError("/tmp/libnetty_transport_native_epoll_x86_64.so: failed to map"));

        assertThat(said)
                .contains("Java NIO", "did not load", "failed to map", "noexec")
                .doesNotContain("prefer-native-transport=false");
    }

    @Test
    void switchedOffItSaysSoAndNoReasonIsInvented() {
        assertThat(HttpTransport.describe(false, false, new IOException("unused")))
                .isEqualTo("HTTP transport: Java NIO (quarkus.vertx.prefer-native-transport=false)");
    }

    @Test
    void nativeIsSaidPlainly() {
        assertThat(HttpTransport.describe(true, true, null)).isEqualTo("HTTP transport: native epoll");
    }
}
