package dev.fledge.server.proxy;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;

/** Reads a whole upstream answer, up to a limit: a larger one is cut off (connection reset) and refused. */
final class BoundedBody {
    private BoundedBody() {}

    static Future<Buffer> read(HttpClientResponse response, long limit) {
        Promise<Buffer> body = Promise.promise();
        Buffer buffer = Buffer.buffer();
        response.handler(chunk -> {
            if (buffer.length() + (long) chunk.length() > limit) {
                if (body.tryFail(
                        UpstreamFailure.garbage("more than " + limit + " bytes (fledge.upstream.max-response-size)"))) {
                    response.request().reset();
                }
            } else {
                buffer.appendBuffer(chunk);
            }
        });
        response.exceptionHandler(body::tryFail);
        response.endHandler(ended -> body.tryComplete(buffer));
        return body.future();
    }
}
