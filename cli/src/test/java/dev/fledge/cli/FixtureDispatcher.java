package dev.fledge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fledge.testsupport.ApplyTolerantCrudDispatcher;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test-only, two gaps of Fabric8's CRUD mock filled for the CLI's tests:
 * <ul>
 * <li>it matches field selectors on metadata.name and metadata.namespace only, so an Event list by
 * {@code involvedObject.name} (which real API servers support, and kubectl describe uses) came back empty: this
 * answers that selector as an API server does, with the namespace's Events filtered;</li>
 * <li>its JSON patch fails a {@code test} of a missing member against {@code null}, which the API server passes, and
 * answers a failed {@code test} with no response at all: {@code test} operations are checked here as the API server
 * checks them (a missing member equals {@code null}; a failure answers 422), the rest goes to the mock;</li>
 * <li>it stamps its wall-clock time as creationTimestamp on create and update: reads report the fixtures' creation
 * times instead, so that AGE columns are deterministic.</li>
 * </ul>
 */
final class FixtureDispatcher extends ApplyTolerantCrudDispatcher {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SELECTOR =
            Pattern.compile("([?&])fieldSelector=involvedObject\\.name(?:%3D|=)([^&]*)");
    private final Map<String, String> createdAt;

    /** @param createdAt creation time (RFC 3339) by ModelRelease name */
    FixtureDispatcher(Map<String, String> createdAt) {
        this.createdAt = Map.copyOf(createdAt);
    }

    @Override
    public MockResponse handlePatch(RecordedRequest request) {
        String type = request.getHeader("Content-Type");
        if (type == null || !type.startsWith("application/json-patch+json")) {
            return super.handlePatch(request);
        }
        try {
            JsonNode ops = JSON.readTree(request.getUtf8Body());
            MockResponse existing = super.handleGet(request.getPath().split("\\?", 2)[0]);
            if (existing.code() != 200) {
                return existing;
            }
            JsonNode current = JSON.readTree(existing.getBody().readUtf8());
            ArrayNode rest = JSON.createArrayNode();
            for (JsonNode op : ops) {
                if (!"test".equals(op.path("op").asText())) {
                    rest.add(op);
                    continue;
                }
                JsonNode at = current.at(op.path("path").asText());
                JsonNode want = op.path("value");
                boolean nullish = at.isMissingNode() || at.isNull();
                if (want.isNull() || want.isMissingNode() ? !nullish : !want.equals(at)) {
                    return new MockResponse()
                            .setResponseCode(422)
                            .setBody(new Buffer(("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                                            + "\"message\":\"the server rejected our request due to an error in our"
                                            + " request\",\"reason\":\"Invalid\",\"code\":422}")
                                    .getBytes(StandardCharsets.UTF_8)));
                }
            }
            RecordedRequest stripped = new RecordedRequest(
                    request.getHttpVersion(),
                    request.method(),
                    request.getPath(),
                    request.getHeaders(),
                    new Buffer(JSON.writeValueAsBytes(rest)));
            return super.handlePatch(stripped);
        } catch (IOException e) {
            return new MockResponse()
                    .setResponseCode(400)
                    .setBody(new Buffer(e.getMessage().getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Override
    public MockResponse handleGet(String path) {
        Matcher m = SELECTOR.matcher(path);
        if (path.contains("/events") && !path.contains("watch=true") && m.find()) {
            String name = URLDecoder.decode(m.group(2), StandardCharsets.UTF_8);
            String rest = m.replaceFirst("$1").replace("?&", "?");
            return rewrite(
                    super.handleGet(rest.endsWith("?") ? rest.substring(0, rest.length() - 1) : rest),
                    list -> keepInvolving((ObjectNode) list, name));
        }
        if (path.contains("/modelreleases")) {
            return rewrite(super.handleGet(path), this::stampCreation);
        }
        return super.handleGet(path);
    }

    private static void keepInvolving(ObjectNode list, String name) {
        ArrayNode kept = JSON.createArrayNode();
        for (JsonNode e : list.path("items")) {
            if (name.equals(e.path("involvedObject").path("name").asText())) {
                kept.add(e);
            }
        }
        list.set("items", kept);
    }

    private void stampCreation(JsonNode body) {
        for (JsonNode o :
                body.has("items") ? body.path("items") : JSON.createArrayNode().add(body)) {
            String at = createdAt.get(o.path("metadata").path("name").asText());
            if (at != null && o.path("metadata") instanceof ObjectNode meta) {
                meta.put("creationTimestamp", at);
            }
        }
    }

    private static MockResponse rewrite(MockResponse response, Consumer<JsonNode> change) {
        if (response.code() != 200) {
            return response;
        }
        try {
            JsonNode body = JSON.readTree(response.getBody().readUtf8());
            change.accept(body);
            return new MockResponse().setResponseCode(200).setBody(new Buffer(JSON.writeValueAsBytes(body)));
        } catch (IOException e) {
            return new MockResponse()
                    .setResponseCode(500)
                    .setBody(new Buffer(e.getMessage().getBytes(StandardCharsets.UTF_8)));
        }
    }
}
