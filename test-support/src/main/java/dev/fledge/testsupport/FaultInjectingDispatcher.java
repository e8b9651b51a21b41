package dev.fledge.testsupport;

import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Test-only: the SSA-tolerant CRUD mock that answers chosen requests with an API error instead, a set number of times
 * ({@link #failNext}), as a real API server does on a conflict, a webhook timeout or a lost connection. Requests that
 * match no armed fault are served as usual.
 */
public class FaultInjectingDispatcher extends ApplyTolerantCrudDispatcher {
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private final List<Interleaved> interleaved = new CopyOnWriteArrayList<>();
    private final List<Rewrite> rewrites = new CopyOnWriteArrayList<>();
    private final AtomicInteger served = new AtomicInteger();

    /** The next {@code times} requests that {@code matches} accepts are answered with HTTP {@code code}. */
    public FaultInjectingDispatcher failNext(int times, int code, Predicate<Request> matches) {
        faults.add(new Fault(matches, code, new AtomicInteger(times)));
        return this;
    }

    /**
     * Before the next request that {@code matches} is served, this JSON merge patch of {@code path} is served first, as
     * another client's write that the API server stores just before that request: the request's response then holds
     * it, and its watch event goes out while the request is in flight.
     */
    public FaultInjectingDispatcher mergePatchBeforeNext(Predicate<Request> matches, String path, String patch) {
        interleaved.add(new Interleaved(matches, path, patch, new AtomicInteger(1)));
        return this;
    }

    /**
     * The next request that {@code matches} is served as usual, and its response's body is passed through
     * {@code change}: an answer other than what was stored, as a mutating webhook that acts on the response gives.
     */
    public FaultInjectingDispatcher rewriteNextResponse(Predicate<Request> matches, UnaryOperator<String> change) {
        rewrites.add(new Rewrite(matches, change, new AtomicInteger(1)));
        return this;
    }

    /** How many requests were answered with an injected error so far. */
    public int failuresServed() {
        return served.get();
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        Request r = new Request(
                request.getMethod(),
                request.getPath().split("\\?", 2)[0],
                request.getHeader("Content-Type"),
                request.getBody() == null ? "" : new String(request.getBody().getBytes(), StandardCharsets.UTF_8));
        // getBytes leaves the body unread for the CRUD mock below
        for (Interleaved i : interleaved) {
            if (i.left.get() > 0 && i.matches.test(r) && i.left.getAndDecrement() > 0) {
                MockResponse done = super.dispatch(new RecordedRequest(
                        "PATCH " + i.path + " HTTP/1.1",
                        HttpMethod.PATCH,
                        i.path,
                        Headers.builder()
                                .add("Content-Type", "application/merge-patch+json")
                                .build(),
                        new Buffer(i.patch.getBytes(StandardCharsets.UTF_8))));
                if (!done.getStatus().matches("HTTP/\\S+ 2\\d\\d .*")) {
                    throw new IllegalStateException("the interleaved patch of " + i.path + " was refused: "
                            + done.getStatus() + " " + done.getBody().readUtf8());
                }
            }
        }
        for (Fault f : faults) {
            if (f.left.get() > 0 && f.matches.test(r) && f.left.getAndDecrement() > 0) {
                served.incrementAndGet();
                String status = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":" + f.code
                        + ",\"message\":\"injected by the test\"}";
                return new MockResponse()
                        .setResponseCode(f.code)
                        .setHeader("Content-Type", "application/json")
                        .setBody(status);
            }
        }
        MockResponse response = super.dispatch(request);
        for (Rewrite w : rewrites) {
            if (w.left.get() > 0 && w.matches.test(r) && w.left.getAndDecrement() > 0 && response.getBody() != null) {
                response.setBody(w.change.apply(response.getBody().readUtf8()));
            }
        }
        return response;
    }

    /** What a fault can match on: the HTTP method, the path without query, the content type and the body. */
    public record Request(String method, String path, String contentType, String body) {
        /** A PATCH of the status subresource of the named object of this plural, e.g. {@code modelreleases}. */
        public boolean isStatusPatch(String plural, String name) {
            return "PATCH".equals(method) && path.endsWith("/" + plural + "/" + name + "/status");
        }

        /** A PATCH of the named object itself (metadata or spec), not of a subresource. */
        public boolean isPatch(String plural, String name) {
            return "PATCH".equals(method) && path.endsWith("/" + plural + "/" + name);
        }
    }

    private record Fault(Predicate<Request> matches, int code, AtomicInteger left) {}

    private record Rewrite(Predicate<Request> matches, UnaryOperator<String> change, AtomicInteger left) {}

    private record Interleaved(Predicate<Request> matches, String path, String patch, AtomicInteger left) {}
}
