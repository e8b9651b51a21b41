package dev.fledge.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * Test-only: Fabric8's CRUD mock has no server-side apply (create answers 404, update 415). This dispatcher treats
 * an apply-patch as create-or-replace, as SSA behaves with a single field manager: metadata is merged, every other
 * top-level field the applier sends (spec, status, ...) replaces the stored one, so fields the applier dropped
 * disappear. Field ownership across managers and conflicts are not modelled; the real-API-server suite proves those.
 */
public class ApplyTolerantCrudDispatcher extends KubernetesCrudDispatcher {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public MockResponse handlePatch(RecordedRequest request) {
        String type = request.getHeader("Content-Type");
        if (type == null || !type.startsWith("application/apply-patch")) {
            return super.handlePatch(request);
        }
        String path = request.getPath().split("\\?", 2)[0];
        try {
            JsonNode applied = JSON.readTree(request.getUtf8Body());
            MockResponse existing = handleGet(path);
            if (existing.code() == 404) {
                if (path.endsWith("/status")) {
                    return existing;
                }
                String collection = path.substring(0, path.lastIndexOf('/'));
                return handleCreate(request(HttpMethod.POST, collection, applied));
            }
            ObjectNode current = (ObjectNode) JSON.readTree(existing.getBody().readUtf8());
            applied.fields().forEachRemaining(f -> {
                if ("metadata".equals(f.getKey()) && current.get("metadata") instanceof ObjectNode meta) {
                    merge(meta, f.getValue());
                } else if (!"apiVersion".equals(f.getKey()) && !"kind".equals(f.getKey())) {
                    current.set(f.getKey(), f.getValue());
                }
            });
            return handleUpdate(request(HttpMethod.PUT, path, current));
        } catch (IOException e) {
            return new MockResponse()
                    .setResponseCode(400)
                    .setBody(new Buffer(e.getMessage().getBytes(StandardCharsets.UTF_8)));
        }
    }

    private static RecordedRequest request(HttpMethod method, String path, JsonNode body) throws IOException {
        Headers headers =
                Headers.builder().add("Content-Type", "application/json").build();
        return new RecordedRequest("HTTP/1.1", method, path, headers, new Buffer(JSON.writeValueAsBytes(body)));
    }

    private static void merge(ObjectNode target, JsonNode patch) {
        Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            JsonNode existing = target.get(f.getKey());
            if (existing instanceof ObjectNode o && f.getValue().isObject()) {
                merge(o, f.getValue());
            } else if (!"resourceVersion".equals(f.getKey())) {
                target.set(f.getKey(), f.getValue());
            }
        }
    }
}
