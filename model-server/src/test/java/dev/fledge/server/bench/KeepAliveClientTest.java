package dev.fledge.server.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The benchmark's load client against the JDK's HTTP server: keep-alive, statuses, bodies, what it refuses. */
class KeepAliveClientTest {
    private HttpServer server;
    private final Set<String> peers = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/echo", exchange -> {
            peers.add(exchange.getRemoteAddress().toString());
            byte[] body = ("echo:" + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8))
                    .getBytes(StandardCharsets.UTF_8);
            respond(exchange, "POST".equals(exchange.getRequestMethod()) ? 200 : 405, body, body.length);
        });
        server.createContext("/missing", exchange -> respond(exchange, 404, "{\"error\":\"no\"}".getBytes(), 14));
        server.createContext("/chunked", exchange -> respond(exchange, 200, "streamed".getBytes(), 0));
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void sendsRequestsOneAfterAnotherOnOneConnection() throws IOException {
        try (KeepAliveClient client = new KeepAliveClient(server.getAddress())) {
            for (int i = 0; i < 3; i++) {
                KeepAliveClient.Response response = client.postJson("/echo", ("{\"n\":" + i + "}").getBytes());
                assertEquals(200, response.status());
                assertEquals("echo:{\"n\":" + i + "}", response.text());
            }
        }
        assertEquals(1, peers.size(), "all requests should have used one connection: " + peers);
    }

    @Test
    void returnsErrorStatusesWithTheirBodies() throws IOException {
        try (KeepAliveClient client = new KeepAliveClient(server.getAddress())) {
            KeepAliveClient.Response response = client.postJson("/missing", "{}".getBytes());
            assertEquals(404, response.status());
            assertEquals("{\"error\":\"no\"}", response.text());
        }
    }

    @Test
    void refusesAResponseWithoutContentLength() throws IOException {
        try (KeepAliveClient client = new KeepAliveClient(server.getAddress())) {
            IOException e = assertThrows(IOException.class, () -> client.postJson("/chunked", "{}".getBytes()));
            assertTrue(e.getMessage().contains("content-length"), e.getMessage());
        }
    }

    /** {@code length} 0 makes the JDK server send a chunked body. */
    private static void respond(HttpExchange exchange, int status, byte[] body, long length) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
