package dev.fledge.server.api.openai;

/**
 * The backend of the OpenAI generation endpoints: the DJL model in this process, or an OpenAI-compatible server
 * in the same pod (proxy mode). It answers on the exchange, now or later, exactly once, and applies Fledge's part
 * on the way: the guard on the outputs, the metrics, the response ids.
 */
public interface Completions {

    void handle(Endpoint endpoint, Exchange exchange);
}
