package dev.fledge.operator.k8s;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Makes the objects an informer caches smaller, without changing what they hold or read as:
 *
 * <ul>
 *   <li>Every Kubernetes model object that holds no unknown field gets one shared, immutable empty {@code
 *       additionalProperties} map instead of its own. Each Fabric8 model class (a Container, a Quantity, an
 *       ObjectMeta) makes a new {@code LinkedHashMap} for the fields it does not know, and Jackson leaves it empty for
 *       every object the API server sends: at 1000 releases about 200,000 empty maps, 13 MiB, the largest class of
 *       the live heap ({@code make bench-operator}'s class histogram).
 *   <li>Every {@code ArrayList} is trimmed to its size: Jackson adds to the model's own list, which grows to room for
 *       ten items for the first one.
 * </ul>
 *
 * <p>Only objects the informers cache, before they are shared ({@link LeanItemStore#put}). Nothing adds an unknown
 * field to a cached object: builders copy the map, serialization only reads it, and the primary a pass gets is the
 * SDK's clone. An attempt would fail loudly ({@code UnsupportedOperationException}) instead of changing the cache.
 * Non-empty maps (a {@code GenericKubernetesResource}'s content, an object with fields newer than the model) are kept;
 * a trimmed list stays mutable.
 */
final class CompactObjects {
    /** Model classes by package prefix: Fabric8's (core, apps, Gateway API ...) and the operator's own resources. */
    static final List<String> MODEL_PACKAGES = List.of("io.fabric8.kubernetes.api.model.", "dev.fledge.api.");

    static final String FIELD = "additionalProperties";
    /** Deeper than any Kubernetes object; a guard, not a limit that objects reach. */
    static final int MAX_DEPTH = 64;

    private static final ClassValue<Fields> FIELDS = new ClassValue<>() {
        @Override
        protected Fields computeValue(Class<?> type) {
            return Fields.of(type);
        }
    };

    private CompactObjects() {}

    /** {@code obj}, its nested model objects' empty {@code additionalProperties} shared and its lists trimmed. */
    static <T> T shrink(T obj) {
        walk(obj, 0);
        return obj;
    }

    private static void walk(Object value, int depth) {
        if (value == null || value instanceof String || depth > MAX_DEPTH) {
            return;
        }
        if (value instanceof Collection<?> items) {
            if (value instanceof ArrayList<?> list) {
                list.trimToSize();
            }
            for (Object item : items) {
                walk(item, depth + 1);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            for (Object item : map.values()) {
                walk(item, depth + 1);
            }
            return;
        }
        Fields fields = FIELDS.get(value.getClass());
        if (fields.isEmpty()) {
            return;
        }
        try {
            if (fields.extras() != null && fields.extras().get(value) instanceof Map<?, ?> extras && extras.isEmpty()) {
                fields.extras().set(value, Collections.emptyMap());
            }
            for (Field f : fields.nested()) {
                walk(f.get(value), depth + 1);
            }
        } catch (IllegalAccessException e) {
            // a field made accessible when its class was read; not reached. The object is cached as read.
        }
    }

    /** A model class's {@code additionalProperties} field, and the fields that may hold model objects. */
    private record Fields(Field extras, List<Field> nested) {
        static final Fields NONE = new Fields(null, List.of());

        boolean isEmpty() {
            return extras == null && nested.isEmpty();
        }

        static Fields of(Class<?> type) {
            if (!model(type)) {
                return NONE;
            }
            Field extras = null;
            List<Field> nested = new ArrayList<>();
            for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers()) || !mayHoldModel(f.getType()) || !accessible(f)) {
                        continue;
                    }
                    if (FIELD.equals(f.getName()) && Map.class.isAssignableFrom(f.getType())) {
                        extras = Modifier.isFinal(f.getModifiers()) ? null : f;
                    } else {
                        nested.add(f);
                    }
                }
            }
            return new Fields(extras, List.copyOf(nested));
        }

        static boolean model(Class<?> type) {
            return MODEL_PACKAGES.stream().anyMatch(p -> type.getName().startsWith(p));
        }

        /** Collections, maps and model classes may; Strings, numbers, booleans and enums may not. */
        static boolean mayHoldModel(Class<?> type) {
            return Collection.class.isAssignableFrom(type)
                    || Map.class.isAssignableFrom(type)
                    || (model(type) && !type.isEnum())
                    || type == Object.class;
        }

        static boolean accessible(Field f) {
            try {
                f.setAccessible(true);
                return true;
            } catch (RuntimeException e) {
                return false;
            }
        }
    }
}
