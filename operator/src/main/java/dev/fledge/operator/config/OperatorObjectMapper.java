package dev.fledge.operator.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fledge.operator.k8s.SharedStrings;
import io.quarkus.arc.Unremovable;
import io.quarkus.kubernetes.client.KubernetesClientObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * The Quarkus-built client's Jackson mapper (the one its informers read every object with) shares the String values
 * it reads ({@link SharedStrings}): the informer caches hold one copy of each repeated value instead of one per
 * object.
 */
@Singleton
@Unremovable // looked up as one of all customizers, never injected by name
public class OperatorObjectMapper implements KubernetesClientObjectMapperCustomizer {
    /** 2^14 slots: 64 KiB of (compressed) references, more than the distinct repeated values of an operator's objects. */
    static final int BITS = 14;

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.registerModule(new SharedStrings(BITS).module());
    }
}
