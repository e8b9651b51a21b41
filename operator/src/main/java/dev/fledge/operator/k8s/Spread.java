package dev.fledge.operator.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.time.Duration;

/**
 * Periods of work done again per object (a release's pass at rest, its feedback key asked for again, an object
 * re-asserted), each spread over the last quarter of its nominal period by a hash of the object's key. Objects made in
 * the same second (a GitOps sync creating a thousand releases) would otherwise fall due in the same second at every
 * period, and queue each other's stage changes behind a burst of requests (bench-operator: the feedback keys of 1000
 * releases asked for again within seconds of each other every 5 minutes). The period stays per object, so objects stay
 * apart once apart; never longer than the nominal period, so what a period promises ("at least every 5 minutes")
 * holds. Work of a release's objects takes the release's period ({@link #key} of the object is {@link #own} of the
 * release): the pass that comes back after it finds that work due, rather than one period later.
 */
public final class Spread {
    private Spread() {}

    /** {@code nominal} less up to a quarter of it, the same for the same {@code key}. */
    public static Duration period(String key, Duration nominal) {
        long quarter = nominal.toMillis() / 4;
        if (quarter <= 0) {
            return nominal;
        }
        return nominal.minusMillis(Long.remainderUnsigned(mix(key.hashCode()), quarter + 1));
    }

    /**
     * The key whose period the work of an object a release controls takes: that release's uid (its controller owner's),
     * else the object's {@link #own} key.
     */
    public static String key(HasMetadata o) {
        var meta = o.getMetadata();
        if (meta.getOwnerReferences() != null) {
            for (OwnerReference ref : meta.getOwnerReferences()) {
                if (Boolean.TRUE.equals(ref.getController()) && ref.getUid() != null) {
                    return ref.getUid();
                }
            }
        }
        return own(o);
    }

    /**
     * A release's key (any object's own): its uid, else its namespace and name; never its owner's, since a release made
     * by a composition tool shares its controller with its sibling releases.
     */
    public static String own(HasMetadata o) {
        var meta = o.getMetadata();
        return meta.getUid() != null ? meta.getUid() : meta.getNamespace() + "/" + meta.getName();
    }

    /** The 64-bit finalizer of MurmurHash3: neighbouring hashes (names ending in 1, 2, 3 ...) land far apart. */
    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb3fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
