package dev.fledge.api.status;

/**
 * Schema stand-in for a Kubernetes object recorded in status (a pod template copied from the spec, where its schema
 * was checked): kept as an object with unknown fields preserved.
 */
final class RecordedObject {
    private RecordedObject() {}
}
