package dev.fledge.server.feedback;

import dev.fledge.server.config.FledgeConfig;
import dev.fledge.server.metrics.Audience;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The response ids this server issued recently, with the audience each was issued to, in a bounded LRU:
 * the oldest id is forgotten when a new one would exceed {@code fledge.feedback.max-ids}.
 */
@ApplicationScoped
public class IssuedResponses {
    private final Map<String, Issued> ids;

    @Inject
    public IssuedResponses(FledgeConfig config) {
        this(config.feedback().maxIds());
    }

    public IssuedResponses(int maxIds) {
        this.ids = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Issued> eldest) {
                return size() > maxIds;
            }
        };
    }

    /** Issues a new id with the given prefix ({@code cmpl}, {@code infer}). */
    public synchronized String issue(String prefix, Audience audience) {
        String id = prefix + "-" + UUID.randomUUID().toString().replace("-", "");
        ids.put(id, new Issued(audience));
        return id;
    }

    /** Remembers an id issued by another server (the upstream, in proxy mode); false when it is known already. */
    public synchronized boolean remember(String id, Audience audience) {
        return ids.putIfAbsent(id, new Issued(audience)) == null;
    }

    /** Marks the id as rated; empty when unknown or expired, {@link AlreadyRated} when rated before. */
    public synchronized Optional<Audience> rate(String id) {
        Issued issued = ids.get(id);
        if (issued == null) {
            return Optional.empty();
        }
        if (issued.rated) {
            throw new AlreadyRated();
        }
        issued.rated = true;
        return Optional.of(issued.audience);
    }

    public synchronized int size() {
        return ids.size();
    }

    private static final class Issued {
        final Audience audience;
        boolean rated;

        Issued(Audience audience) {
            this.audience = audience;
        }
    }

    /** A response can be rated once. */
    public static class AlreadyRated extends RuntimeException {
        public AlreadyRated() {
            super("this response was already rated");
        }
    }
}
