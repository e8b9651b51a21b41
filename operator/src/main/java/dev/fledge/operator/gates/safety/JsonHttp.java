package dev.fledge.operator.gates.safety;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fledge.api.Labels;
import dev.fledge.operator.http.BoundedHttp;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * POSTs JSON and reads JSON; every failure becomes a {@link ServiceCallFailed} that names the service. The answer
 * comes from a server a tenant runs, so it is read with a size cap and an overall deadline ({@link BoundedHttp}),
 * and its body is never quoted in a message (status, events). A busy server (429, 503) is asked again after its
 * {@code Retry-After} or a short backoff, while the wait ends within the call's timeout. Every request carries {@code X-Fledge-Audience:
 * evaluation}: it goes to the track Services directly, never through the public Gateway rule (which removes the
 * header).
 */
final class JsonHttp {
    static final ObjectMapper JSON = new ObjectMapper();
    /**
     * The audience of the operator's own suite traffic: the model server counts it apart, so that no live gate
     * (they select {@code internal}, {@code closed} or {@code public}) reads red-team outputs as user traffic.
     */
    static final String AUDIENCE = "evaluation";

    private final HttpClient http;
    private final String what;
    private final URI uri;
    private final Duration timeout;
    private final int maxBytes;

    /** {@code http} is the operator's shared client ({@link BoundedHttp#newClient}); this only adds a request. */
    JsonHttp(HttpClient http, String what, String url, Duration timeout, int maxBytes) {
        this.http = http;
        this.what = what;
        this.uri = URI.create(url);
        this.timeout = timeout;
        this.maxBytes = maxBytes;
    }

    /** Tries of one call to a busy server, the first one included. */
    static final int MAX_ATTEMPTS = 5;
    /** No call waits longer than this for a busy server, whatever it asks. */
    static final Duration LONGEST_WAIT = Duration.ofMinutes(10);

    JsonNode post(Object body) {
        return exchange(body).json();
    }

    /** An answer: its JSON body and its headers. */
    record Answer(JsonNode json, java.net.http.HttpHeaders headers) {}

    /** As {@link #post}, with the answer's headers. */
    Answer exchange(Object body) {
        try {
            String json = JSON.writeValueAsString(body);
            long deadline = System.nanoTime() + timeout.toNanos();
            HttpResponse<String> resp;
            for (int attempt = 0; ; attempt++) {
                Duration left = Duration.ofNanos(deadline - System.nanoTime());
                if (left.toMillis() <= 0) {
                    throw new HttpTimeoutException("no time left");
                }
                HttpRequest req = HttpRequest.newBuilder(uri)
                        .timeout(left)
                        .header("Content-Type", "application/json")
                        .header(Labels.AUDIENCE_HEADER, AUDIENCE)
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build();
                resp = BoundedHttp.send(http, req, maxBytes, left);
                Duration wait = busy(resp) && attempt + 1 < MAX_ATTEMPTS ? retryAfter(resp, attempt) : null;
                if (wait == null || wait.compareTo(Duration.ofNanos(deadline - System.nanoTime())) >= 0) {
                    break; // an answer, a busy server whose wait would outlast this call's timeout, or the last try
                }
                Thread.sleep(wait.toMillis());
            }
            if (resp.statusCode() / 100 != 2) {
                throw new ServiceCallFailed(what + " at " + shown(uri) + " answered HTTP " + resp.statusCode());
            }
            return new Answer(JSON.readTree(resp.body()), resp.headers());
        } catch (HttpTimeoutException e) {
            throw new ServiceCallFailed(what + " at " + shown(uri) + " did not answer within " + timeout);
        } catch (BoundedHttp.BodyTooLarge e) {
            throw new ServiceCallFailed(what + " at " + shown(uri) + ": " + e.getMessage());
        } catch (IOException e) {
            throw new ServiceCallFailed(
                    what + " at " + shown(uri) + " failed: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServiceCallFailed("interrupted while calling " + what);
        } catch (IllegalArgumentException e) {
            throw new ServiceCallFailed(what + " at " + shown(uri) + ": the URL cannot be called");
        }
    }

    /**
     * The URL as error texts show it (they reach status and events): scheme://host[:port]/path, never its query, user
     * info or fragment, which may hold a token.
     */
    static String shown(URI uri) {
        if (uri.getHost() == null) {
            return uri.getScheme() + ":";
        }
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    /** A busy server (429 Too Many Requests, 503 Unavailable), e.g. a judge that several tenants share. */
    private static boolean busy(HttpResponse<?> resp) {
        return resp.statusCode() == 429 || resp.statusCode() == 503;
    }

    /**
     * How long to wait before asking a busy server again: the longer of its {@code Retry-After} (seconds or an HTTP
     * date) and 100 ms doubled with each attempt up to 2 s, so a server that says "0", a negative number or a past date
     * cannot make the operator ask again at once. The caller retries at most {@link #MAX_ATTEMPTS} times in all, and
     * only while the wait ends within its timeout; a wait beyond any timeout (a date centuries away) is capped.
     */
    static Duration retryAfter(HttpResponse<?> resp, int attempt) {
        Duration backoff = Duration.ofMillis(Math.min(2000, 100L << Math.min(attempt, 5)));
        Duration asked = askedWait(resp, backoff);
        Duration wait = asked.compareTo(backoff) > 0 ? asked : backoff;
        return wait.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : wait;
    }

    private static Duration askedWait(HttpResponse<?> resp, Duration backoff) {
        return resp.headers()
                .firstValue("Retry-After")
                .map(String::strip)
                .map(v -> {
                    try {
                        return Duration.ofSeconds(Math.max(0, Math.min(LONGEST_WAIT.toSeconds(), Long.parseLong(v))));
                    } catch (NumberFormatException e) {
                        try {
                            Duration until = Duration.between(
                                    Instant.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
                            return until.isNegative() ? Duration.ZERO : until;
                        } catch (DateTimeParseException e2) {
                            return backoff;
                        }
                    }
                })
                .orElse(backoff);
    }
}
