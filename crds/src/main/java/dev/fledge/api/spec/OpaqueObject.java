package dev.fledge.api.spec;

/**
 * Schema stand-in for fields that hold a full Kubernetes object (such as a PodTemplateSpec): the CRD keeps them as
 * an object with unknown fields preserved instead of inlining thousands of lines of the core schema. The API server
 * validates the resulting Deployment when the operator writes it.
 */
final class OpaqueObject {
    private OpaqueObject() {}
}
