package dev.fledge.server.api.moderation;

import java.util.List;
import java.util.Map;

/** OpenAI-compatible moderation result, one entry per input, in input order. */
public record ModerationResponse(String id, String model, List<Result> results) {

    public record Result(boolean flagged, Map<String, Boolean> categories, Map<String, Double> category_scores) {}
}
