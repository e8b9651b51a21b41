package dev.fledge.server.api.moderation;

import com.fasterxml.jackson.databind.JsonNode;

/** OpenAI-compatible: {@code input} is a string or an array of strings; {@code model} is accepted and ignored. */
public record ModerationRequest(JsonNode input, String model) {}
