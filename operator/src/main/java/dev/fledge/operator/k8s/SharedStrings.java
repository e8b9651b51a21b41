package dev.fledge.operator.k8s;

import com.fasterxml.jackson.annotation.JsonMerge;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import com.fasterxml.jackson.databind.deser.SettableBeanProperty;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.jsontype.TypeDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One instance of each short string value that the API server sends over and over: the same image, label values,
 * {@code IfNotPresent}, {@code TCP}, condition types and reasons, in every Deployment, Service and route of every
 * release. Jackson makes a new String for each value it reads, and the informer caches keep them all: at 1000
 * releases about 600,000 Strings, a third of the live heap ({@code make bench-operator}'s class histogram).
 *
 * <p>A lossy table of fixed size: a value's hash picks a slot; an equal string there is returned, else the value
 * takes the slot. Frequent values stay, unique ones (uids, resource versions) pass through and only evict; the table
 * never grows, and a value made to collide costs sharing, nothing else. Strings are immutable, so a slot read by
 * another thread at the same time is either an equal string or not, never a wrong one; {@code equals} decides.
 *
 * <p>{@link #module()} shares the values of typed bean properties only ({@code String}, and the items of a
 * {@code List<String>} or values of a {@code Map<String, String>}) of Kubernetes objects, never those of a Secret,
 * ConfigMap, environment variable or HTTP header ({@link #UNSHARED}: a secret would stay in the table after its object
 * is gone); of the operator's own resources only their statuses ({@link #SHARED_PACKAGES}), without the model URI;
 * and leaves untyped values ({@code additionalProperties}) to Jackson's own reader.
 */
public final class SharedStrings {
    /** Values longer than this are returned as they are (messages, certificates: unique, and costly to hash). */
    public static final int MAX_LENGTH = 96;
    /**
     * Only Kubernetes objects' values are shared, and those of the releases' statuses (gate, stage and condition names,
     * reasons, times: the same in every release); not the releases' specs, which carry webhook URLs and header values.
     */
    static final List<String> SHARED_PACKAGES = List.of("io.fabric8.kubernetes.api.model", "dev.fledge.api.status");
    /**
     * Objects whose values are never shared, by simple name (whatever the API group): secrets, and values that may be
     * credentials (an environment variable's value, an HTTP header's, a route's header match, the model URI a
     * release's status records). A shared value stays in the table after its object is gone until another value takes
     * its slot.
     */
    static final Set<String> UNSHARED =
            Set.of("Secret", "ConfigMap", "EnvVar", "HTTPHeader", "HTTPHeaderMatch", "ServingStatus");

    private final String[] slots;
    private final int mask;

    /** A table of {@code 2^bits} slots. */
    public SharedStrings(int bits) {
        if (bits < 1 || bits > 20) {
            throw new IllegalArgumentException("bits must be 1..20, got " + bits);
        }
        this.slots = new String[1 << bits];
        this.mask = slots.length - 1;
    }

    /** The table's instance of {@code value} if it holds an equal one, else {@code value}, which it then holds. */
    public String share(String value) {
        if (value == null || value.length() > MAX_LENGTH) {
            return value;
        }
        int h = value.hashCode();
        int i = (h ^ (h >>> 16)) & mask;
        String held = slots[i];
        if (value.equals(held)) {
            return held;
        }
        slots[i] = value;
        return value;
    }

    /** {@code value} with its String, or its list's or map's String values, shared (lists and maps in place). */
    Object shareIn(Object value) {
        if (value instanceof String s) {
            return share(s);
        }
        try {
            if (value instanceof List<?> list) {
                @SuppressWarnings("unchecked")
                List<Object> items = (List<Object>) list;
                items.replaceAll(v -> v instanceof String s ? share(s) : v);
            } else if (value instanceof Map<?, ?> map) {
                @SuppressWarnings("unchecked")
                Map<Object, Object> entries = (Map<Object, Object>) map;
                entries.replaceAll((k, v) -> v instanceof String s ? share(s) : v);
            }
        } catch (UnsupportedOperationException e) {
            // an immutable collection: kept as read
        }
        return value;
    }

    /** A Jackson module that shares the String values of typed bean properties (see the class comment). */
    public SimpleModule module() {
        SimpleModule module = new SimpleModule("fledge-shared-strings");
        module.setDeserializerModifier(new BeanDeserializerModifier() {
            @Override
            public BeanDeserializerBuilder updateBuilder(
                    DeserializationConfig config, BeanDescription bean, BeanDeserializerBuilder builder) {
                if (!shared(bean.getBeanClass())) {
                    return builder;
                }
                List<SettableBeanProperty> properties = new ArrayList<>();
                builder.getProperties().forEachRemaining(properties::add);
                for (SettableBeanProperty p : properties) {
                    // a property with its own deserializer, converter or merge is read as Jackson reads it
                    if (!p.hasValueDeserializer()
                            && p.getAnnotation(JsonDeserialize.class) == null
                            && p.getAnnotation(JsonMerge.class) == null
                            && ofStrings(p.getType())) {
                        builder.addOrReplaceProperty(
                                p.withValueDeserializer(new Sharing(SharedStrings.this, p.getType(), null)), true);
                    }
                }
                return builder;
            }
        });
        return module;
    }

    /** Whether the values of {@code bean}'s typed fields are shared. */
    static boolean shared(Class<?> bean) {
        return SHARED_PACKAGES.stream().anyMatch(p -> bean.getName().startsWith(p + "."))
                && !UNSHARED.contains(bean.getSimpleName());
    }

    /** A String, or a list or map of them. */
    static boolean ofStrings(JavaType type) {
        if (type.hasRawClass(String.class)) {
            return true;
        }
        boolean container = (type.isCollectionLikeType() && Collection.class.isAssignableFrom(type.getRawClass()))
                || (type.isMapLikeType() && Map.class.isAssignableFrom(type.getRawClass()));
        return container
                && type.getContentType() != null
                && type.getContentType().hasRawClass(String.class);
    }

    /** Jackson's own deserializer of the property's type, its result shared. */
    private static final class Sharing extends StdDeserializer<Object> implements ContextualDeserializer {
        private final transient SharedStrings strings;
        private final JavaType type;
        private final JsonDeserializer<Object> delegate;

        Sharing(SharedStrings strings, JavaType type, JsonDeserializer<Object> delegate) {
            super(type);
            this.strings = strings;
            this.type = type;
            this.delegate = delegate;
        }

        @Override
        public JsonDeserializer<?> createContextual(DeserializationContext ctxt, BeanProperty property)
                throws JsonMappingException {
            return new Sharing(strings, type, ctxt.findContextualValueDeserializer(type, property));
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return strings.shareIn(resolved().deserialize(p, ctxt));
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt, Object into) throws IOException {
            return strings.shareIn(resolved().deserialize(p, ctxt, into));
        }

        @Override
        public Boolean supportsUpdate(DeserializationConfig config) {
            return delegate == null ? null : delegate.supportsUpdate(config);
        }

        @Override
        public Object deserializeWithType(JsonParser p, DeserializationContext ctxt, TypeDeserializer types)
                throws IOException {
            return strings.shareIn(resolved().deserializeWithType(p, ctxt, types));
        }

        @Override
        public Object getNullValue(DeserializationContext ctxt) throws JsonMappingException {
            return delegate == null ? null : delegate.getNullValue(ctxt);
        }

        @Override
        public Object getEmptyValue(DeserializationContext ctxt) throws JsonMappingException {
            return delegate == null ? null : delegate.getEmptyValue(ctxt);
        }

        private JsonDeserializer<Object> resolved() throws JsonMappingException {
            if (delegate == null) {
                throw JsonMappingException.from((JsonParser) null, "no deserializer resolved for " + type);
            }
            return delegate;
        }
    }
}
