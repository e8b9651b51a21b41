package dev.fledge.server.feedback;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Optional;

/**
 * The HMAC key response ids are signed with. All replicas of a release read the same key from the file of
 * {@code fledge.feedback.signing-key-file} (a mounted Secret), so an id served by one replica is accepted by every
 * other, and survives restarts. The file's bytes are the key as they are (no trimming), at least 32 of them; a file
 * that is named but missing, unreadable or shorter is an error, which stops the server at start
 * ({@link IssuedResponses}). Without the setting each process draws its own random key: ids then verify on the
 * replica that served them only.
 */
public record ResponseIdKey(byte[] bytes, boolean shared) {
    static final int MIN_BYTES = 32;

    public static ResponseIdKey from(Optional<String> file) {
        if (file.isEmpty()) {
            byte[] random = new byte[MIN_BYTES];
            new SecureRandom().nextBytes(random);
            return new ResponseIdKey(random, false);
        }
        byte[] key;
        try {
            key = Files.readAllBytes(Path.of(file.get()));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read fledge.feedback.signing-key-file (" + file.get() + "): "
                    + e.getClass().getSimpleName());
        }
        if (key.length < MIN_BYTES) {
            throw new IllegalStateException("fledge.feedback.signing-key-file (" + file.get() + ") holds " + key.length
                    + " bytes; the response id signing key needs at least " + MIN_BYTES);
        }
        return new ResponseIdKey(key, true);
    }
}
