package dev.fledge.server.feedback;

import dev.fledge.server.config.FledgeConfig;
import dev.fledge.server.metrics.Audience;
import dev.fledge.server.model.TerminationMessage;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jboss.logging.Logger;

/**
 * Response ids that any replica of the release can verify without shared state: {@code <prefix>-<payload>.<mac>},
 * where the payload holds the version that served the response, the audience it was served to and the time, and the
 * mac is an HMAC-SHA256 (truncated to 128 bits) of the release and the rest, with the key of
 * {@link ResponseIdKey}. An id from another release, a forged or altered one, or one older than
 * {@code fledge.feedback.max-age} does not verify. "Rated once" is remembered per replica, best effort, for the
 * last {@code fledge.feedback.max-ids} ratings. Ids of an upstream's stream (proxy mode), which this server does
 * not sign, are remembered on this replica only.
 */
@ApplicationScoped
@Startup
public class IssuedResponses {
    private static final Logger LOG = Logger.getLogger(IssuedResponses.class);
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final int MAC_BYTES = 16;

    private final String version;
    private final ResponseIdKey key;
    private final Duration maxAge;
    private final Clock clock;
    /**
     * Per thread (the event loops issue ids in proxy mode): the shared {@code new SecureRandom()} (NativePRNG) and
     * {@code Mac.getInstance} on every call were a lock, a read of /dev/urandom every few ids and a provider look-up
     * per response. Each thread's DRBG is seeded from the system once; each thread's Mac holds the key.
     */
    private final ThreadLocal<SecureRandom> random = ThreadLocal.withInitial(IssuedResponses::drbg);

    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::keyedMac);
    private final byte[] releaseBytes;
    private final Map<String, Boolean> rated;
    private final Map<String, Audience> remembered;

    @Inject
    public IssuedResponses(FledgeConfig config) {
        this(
                config.release(),
                config.model().version(),
                keyAtStart(config),
                config.feedback().maxAge(),
                config.feedback().maxIds(),
                Clock.systemUTC());
        if (!key.shared()) {
            LOG.warn("fledge.feedback.signing-key-file is not set: response ids verify on this replica only, and"
                    + " feedback sent to another replica gets 404");
        }
    }

    public IssuedResponses(
            String release, String version, ResponseIdKey key, Duration maxAge, int maxIds, Clock clock) {
        this.releaseBytes = release.getBytes(StandardCharsets.UTF_8);
        this.version = version;
        this.key = key;
        this.maxAge = maxAge;
        this.clock = clock;
        this.rated = bounded(maxIds);
        this.remembered = bounded(maxIds);
    }

    /**
     * The key, read when the server starts ({@link Startup}): a key file that is named but cannot be used (missing,
     * unreadable, shorter than 32 bytes) stops the start with the reason in the log and the pod's termination
     * message, rather than a ready server failing every request.
     */
    private static ResponseIdKey keyAtStart(FledgeConfig config) {
        try {
            return ResponseIdKey.from(config.feedback().signingKeyFile());
        } catch (IllegalStateException e) {
            TerminationMessage.write(Path.of(config.terminationMessagePath()), e.getMessage());
            throw e;
        }
    }

    /** For tests: a release with its own random key. */
    public IssuedResponses(int maxIds) {
        this("test", "1.0.0", ResponseIdKey.from(Optional.empty()), Duration.ofDays(1), maxIds, Clock.systemUTC());
    }

    private static <V> Map<String, V> bounded(int max) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > max;
            }
        };
    }

    /** What a verified id says: the audience the response was served to and the version that served it. */
    public record Issued(Audience audience, String version) {}

    /** Issues a new signed id with the given prefix ({@code cmpl}, {@code chatcmpl}, {@code infer}). */
    public String issue(String prefix, Audience audience) {
        byte[] nonce = new byte[12];
        random.get().nextBytes(nonce);
        String payload = String.join(
                "|",
                "1",
                version,
                audience.label(),
                Long.toString(clock.instant().getEpochSecond()),
                B64.encodeToString(nonce));
        String unsigned = prefix + "-" + B64.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        return unsigned + "." + B64.encodeToString(mac(unsigned));
    }

    /** Remembers an id issued by another server (the upstream's stream, in proxy mode), on this replica. */
    public synchronized boolean remember(String id, Audience audience) {
        return remembered.putIfAbsent(id, audience) == null;
    }

    /** What the id says, when this release signed it (or this replica remembers it) and it has not expired. */
    public Optional<Issued> verify(String id) {
        synchronized (this) {
            Audience upstream = remembered.get(id);
            if (upstream != null) {
                return Optional.of(new Issued(upstream, version));
            }
        }
        int dot = id.lastIndexOf('.');
        int dash = id.indexOf('-');
        if (dot < 0 || dash < 0 || dash > dot) {
            return Optional.empty();
        }
        try {
            byte[] given = B64D.decode(id.substring(dot + 1));
            if (!MessageDigest.isEqual(given, mac(id.substring(0, dot)))) {
                return Optional.empty();
            }
            String[] fields =
                    new String(B64D.decode(id.substring(dash + 1, dot)), StandardCharsets.UTF_8).split("\\|", -1);
            if (fields.length != 5 || !fields[0].equals("1")) {
                return Optional.empty();
            }
            long age = clock.instant().getEpochSecond() - Long.parseLong(fields[3]);
            if (age < 0 || age > maxAge.toSeconds()) {
                return Optional.empty();
            }
            return Optional.of(new Issued(Audience.fromHeader(fields[2]), fields[1]));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Marks a verified id as rated on this replica; {@link AlreadyRated} when it was rated here before. */
    public synchronized void markRated(String id) {
        if (rated.putIfAbsent(id, Boolean.TRUE) != null) {
            throw new AlreadyRated();
        }
    }

    /** Verifies and marks the id as rated; empty when unknown, forged or expired. */
    public Optional<Issued> rate(String id) {
        Optional<Issued> issued = verify(id);
        issued.ifPresent(i -> markRated(id));
        return issued;
    }

    public synchronized int size() {
        return rated.size() + remembered.size();
    }

    private byte[] mac(String unsigned) {
        byte[] input = unsigned.getBytes(StandardCharsets.UTF_8);
        Mac mac = macs.get();
        // the thread's Mac may hold a part fed before a throw (an OutOfMemoryError): start from the key alone
        mac.reset();
        mac.update(releaseBytes);
        mac.update((byte) 0);
        byte[] full = mac.doFinal(input);
        byte[] out = new byte[MAC_BYTES];
        System.arraycopy(full, 0, out, 0, MAC_BYTES);
        return out;
    }

    private Mac keyedMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.bytes(), "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static SecureRandom drbg() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (GeneralSecurityException e) {
            return new SecureRandom();
        }
    }

    /** A response can be rated once (per replica). */
    public static class AlreadyRated extends RuntimeException {
        public AlreadyRated() {
            super("this response was already rated");
        }
    }
}
