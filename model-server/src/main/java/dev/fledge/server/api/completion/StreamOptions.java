package dev.fledge.server.api.completion;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code stream_options}: with {@code include_usage} a last chunk carries the usage. */
public record StreamOptions(@JsonProperty("include_usage") Boolean includeUsage) {

    static boolean usage(StreamOptions options) {
        return options != null && Boolean.TRUE.equals(options.includeUsage());
    }
}
