package dev.fledge.server.text;

/**
 * Generated text.
 *
 * @param promptTokens tokens of the prompt
 * @param completionTokens tokens generated
 */
public record Generation(String text, int promptTokens, int completionTokens) {}
