package dev.fledge.operator.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fledge.operator.k8s.SharedStrings;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
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

    /**
     * The serialization of a client built outside Quarkus (tests), as Quarkus builds it for the operator's client: a
     * new mapper, customized, without searching the class loaders.
     */
    public static KubernetesSerialization serialization() {
        ObjectMapper mapper = new ObjectMapper();
        new OperatorObjectMapper().customize(mapper);
        return new KubernetesSerialization(mapper, false);
    }
}
