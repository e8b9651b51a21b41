package dev.fledge.server.model;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch's intra-op thread count is an OpenMP setting of the calling thread: DJL applies
 * {@code ai.djl.pytorch.num_threads} only on the thread that starts the engine, and every other thread
 * (each HTTP worker) runs with one OpenMP thread per core. On a busy two-core machine their spin-waiting made
 * a 16-token completion take seconds instead of milliseconds. So each thread is pinned before its first inference.
 */
public final class InferenceThreads {
    private final int threads;
    private final ThreadLocal<Boolean> pinned = ThreadLocal.withInitial(() -> false);

    public InferenceThreads(int threads) {
        this.threads = threads;
    }

    public void pinCurrentThread() {
        if (!pinned.get()) {
            Engine.getEngine("PyTorch"); // loads the native library on first use
            JniUtils.setNumThreads(threads);
            pinned.set(true);
        }
    }
}
