package dev.fledge.operator.http;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * A {@link ServiceLookup} that keeps each answer for a short time: a release's judge URL is checked before every judge
 * call of a suite run (hundreds of calls in minutes), and one GET per call would load the API server for nothing. An
 * answer is at most {@code ttl} old, so a Service changed to ExternalName is seen within it; a failed read is not
 * kept. Thread-safe.
 */
final class CachedServiceLookup implements ServiceLookup {
    private static final int REMEMBERED = 1024;

    private record Kept(Optional<Facts> facts, long at) {}

    private final ServiceLookup inner;
    private final long ttlNanos;
    private final LongSupplier nanos;
    private final Map<String, Kept> kept = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Kept> eldest) {
            return size() > REMEMBERED;
        }
    };

    CachedServiceLookup(ServiceLookup inner, Duration ttl, LongSupplier nanos) {
        this.inner = inner;
        this.ttlNanos = ttl.toNanos();
        this.nanos = nanos;
    }

    @Override
    public Optional<Facts> find(String namespace, String name) {
        String key = namespace + "/" + name;
        long now = nanos.getAsLong();
        synchronized (kept) {
            Kept k = kept.get(key);
            if (k != null && now - k.at() < ttlNanos) {
                return k.facts();
            }
        }
        Optional<Facts> facts = inner.find(namespace, name);
        synchronized (kept) {
            kept.put(key, new Kept(facts, now));
        }
        return facts;
    }
}
