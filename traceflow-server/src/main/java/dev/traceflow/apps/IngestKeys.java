package dev.traceflow.apps;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Ingest key format and hashing. Keys are 256 random bits, so a fast SHA-256 is the right hash
 * (a slow password hash buys nothing against guessing 2^256 values and would cost every request).
 */
public final class IngestKeys {

    static final String PREFIX = "tfk_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private IngestKeys() {
    }

    /** A new key: {@code tfk_} + 43 base64url characters. */
    public static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** SHA-256 of the key as 64 lowercase hex chars. */
    public static String hash(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** The first characters of a key, safe to show and log to tell keys apart. */
    public static String displayPrefix(String key) {
        return key.substring(0, Math.min(key.length(), 10));
    }
}
