package dev.fledge.server.proxy;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Reads the {@code data:} fields of a server-sent event stream that arrives in arbitrary pieces (a piece may end
 * inside a line, or inside a UTF-8 character). Each complete {@code data:} line is handed on without its prefix
 * and the one optional space after it; other fields and comments are skipped.
 */
final class SseData {
    private final Consumer<String> data;
    private Buffer pending = Buffer.buffer();

    SseData(Consumer<String> data) {
        this.data = data;
    }

    void feed(Buffer piece) {
        pending.appendBuffer(piece);
        int start = 0;
        int length = pending.length();
        for (int i = 0; i < length; i++) {
            if (pending.getByte(i) == '\n') {
                line(pending.getString(start, i, StandardCharsets.UTF_8.name()));
                start = i + 1;
            }
        }
        if (start > 0) {
            pending = pending.getBuffer(start, length);
        }
    }

    private void line(String raw) {
        String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
        if (line.startsWith("data:")) {
            data.accept(line.startsWith("data: ") ? line.substring(6) : line.substring(5));
        }
    }
}
