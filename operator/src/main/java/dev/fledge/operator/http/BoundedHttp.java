package dev.fledge.operator.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads a response that a tenant's server (a canary, a judge, a webhook receiver) may send: at most {@code maxBytes}
 * of body, and the whole exchange, body included, within one deadline. {@link HttpRequest#timeout} alone stops at
 * the headers, so a server that drips its body one byte a second would hold a gate thread for ever, and an unbounded
 * body read into a String can exhaust the operator's heap (issue 15, finding 4).
 */
public final class BoundedHttp {
    /** The default cap of a tenant-controlled response body. */
    public static final int DEFAULT_MAX_BYTES = 64 * 1024;

    private BoundedHttp() {}

    /**
     * The operator's one client for tenant servers (canaries, stable tracks, judges): HTTP/1.1, redirects not
     * followed. Built once per operator and shared by every suite run, so that runs reuse connections and threads
     * rather than building a client (its selector thread and pool) per run. Each request carries its own deadline.
     */
    public static HttpClient newClient(Duration connectTimeout) {
        return HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** The exchange, or {@link HttpTimeoutException} after {@code deadline}, or {@link BodyTooLarge}. */
    public static HttpResponse<String> send(HttpClient http, HttpRequest request, int maxBytes, Duration deadline)
            throws IOException, InterruptedException {
        CompletableFuture<HttpResponse<String>> exchange = http.sendAsync(request, handler(maxBytes));
        try {
            return exchange.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw new HttpTimeoutException("no complete answer within " + deadline);
        } catch (InterruptedException e) {
            exchange.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        }
    }

    /** A body handler that fails with {@link BodyTooLarge} once the body passes {@code maxBytes}. */
    public static HttpResponse.BodyHandler<String> handler(int maxBytes) {
        return info -> {
            long declared = info.headers().firstValueAsLong("Content-Length").orElse(-1);
            Capped capped = new Capped(maxBytes);
            if (declared > maxBytes) {
                capped.result.completeExceptionally(new BodyTooLarge(maxBytes));
            }
            return capped;
        };
    }

    /** The body passed the cap; only its size is reported, never its content. */
    public static final class BodyTooLarge extends IOException {
        public BodyTooLarge(int maxBytes) {
            super("the response body exceeds the limit of " + maxBytes + " bytes");
        }
    }

    private static final class Capped implements HttpResponse.BodySubscriber<String> {
        private final int max;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private final CompletableFuture<String> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        Capped(int max) {
            this.max = max;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (result.isDone()) {
                s.cancel();
            } else {
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                if (buf.size() + b.remaining() > max) {
                    result.completeExceptionally(new BodyTooLarge(max));
                    subscription.cancel();
                    return;
                }
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                buf.write(bytes, 0, bytes.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(buf.toString(StandardCharsets.UTF_8));
        }

        @Override
        public CompletionStage<String> getBody() {
            return result;
        }
    }
}
