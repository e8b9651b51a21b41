package dev.fledge.server.feedback;

/** {@code {"id": "<response id>", "rating": "positive|negative"}}. */
public record FeedbackRequest(String id, String rating) {}
