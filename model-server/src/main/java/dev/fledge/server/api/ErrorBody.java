package dev.fledge.server.api;

/** OpenAI-style error body: {@code {"error": {"message": ..., "type": ..., "code": ...}}}. */
public record ErrorBody(Detail error) {

    public record Detail(String message, String type, int code) {}

    public static ErrorBody of(int status, String type, String message) {
        return new ErrorBody(new Detail(message, type, status));
    }
}
