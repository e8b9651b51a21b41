package dev.fledge.server.model;

/** The one model version this server serves: a text model or a tensor model. */
public sealed interface ServedModel extends AutoCloseable permits TextModel, TensorModel {

    ModelDescriptor descriptor();

    /** Runs one inference so the first real request does not pay for lazy initialisation. */
    void warmUp();

    @Override
    void close();
}
