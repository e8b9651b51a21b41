package dev.fledge.api;

import java.util.regex.Pattern;

/**
 * Kubernetes object and namespace names, for the fields of a release that name another object the operator reads by
 * that name (a Gateway, a suite's ConfigMap, a webhook's Secret): only such a name reaches a request's path, never a
 * {@code /}, a {@code ?} or a {@code ..}.
 */
public final class KubeNames {
    /** An object name (DNS-1123 subdomain): Gateways, listeners, ConfigMaps and Secrets are all named so. */
    public static final String OBJECT_NAME = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
    /** A namespace name (DNS-1123 label). */
    public static final String NAMESPACE = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

    private static final Pattern OBJECT = Pattern.compile(OBJECT_NAME);
    private static final Pattern LABEL = Pattern.compile(NAMESPACE);

    private KubeNames() {}

    public static boolean isObjectName(String name) {
        return name != null && name.length() <= 253 && OBJECT.matcher(name).matches();
    }

    public static boolean isNamespace(String name) {
        return name != null && name.length() <= 63 && LABEL.matcher(name).matches();
    }
}
