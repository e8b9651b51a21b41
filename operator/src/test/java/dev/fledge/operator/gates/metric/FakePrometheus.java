package dev.fledge.operator.gates.metric;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A stand-in for Prometheus's query API: answers every query with a canned status and body. */
final class FakePrometheus implements AutoCloseable {
    private final HttpServer server;
    final List<String> queries = new CopyOnWriteArrayList<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    volatile int status = 200;
    volatile String body = vector("0");
    volatile long delayMillis;

    FakePrometheus() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/query", ex -> {
            String form = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            for (String kv : form.split("&")) {
                if (kv.startsWith("query=")) {
                    queries.add(URLDecoder.decode(kv.substring(6), StandardCharsets.UTF_8));
                }
            }
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            authorizations.add(auth == null ? "" : auth);
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, b.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(b);
            } catch (IOException ignored) {
                // the client gave up (timeout test)
            }
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    static String vector(String... values) {
        StringBuilder sb =
                new StringBuilder("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[");
        for (int i = 0; i < values.length; i++) {
            sb.append(i == 0 ? "" : ",")
                    .append("{\"metric\":{\"i\":\"")
                    .append(i)
                    .append("\"},\"value\":[1764330000.0,\"")
                    .append(values[i])
                    .append("\"]}");
        }
        return sb.append("]}}").toString();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
