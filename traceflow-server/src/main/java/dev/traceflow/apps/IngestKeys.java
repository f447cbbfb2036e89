package dev.traceflow.apps;

import dev.traceflow.auth.SecretTokens;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * Ingest key format: {@code tfk_} + 256 random bits in base 36, stored as their SHA-256
 * ({@link SecretTokens}). Letters, digits and {@code _} only, so that a key can be the user part of
 * a Sentry DSN: the Sentry SDKs read that part as {@code \w+} and refuse a DSN with a {@code -} in
 * it (base64url keys have one in most cases).
 */
public final class IngestKeys {

    static final String PREFIX = "tfk_";
    private static final int DIGITS = 50; // 36^50 > 2^256
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern DSN_SAFE = Pattern.compile("\\w+");

    private IngestKeys() {
    }

    /** A new key: {@code tfk_} + 50 characters of {@code 0-9a-z}. */
    public static String generate() {
        byte[] bits = new byte[32];
        RANDOM.nextBytes(bits);
        String digits = new BigInteger(1, bits).toString(36);
        return PREFIX + "0".repeat(DIGITS - digits.length()) + digits;
    }

    /**
     * Whether the key can stand in a Sentry DSN (letters, digits, {@code _}): every generated key
     * can; a bootstrap key chosen by the operator may not, and then SDKs must be given it otherwise.
     */
    public static boolean fitsInDsn(String key) {
        return key != null && DSN_SAFE.matcher(key).matches();
    }

    /** SHA-256 of the key as 64 lowercase hex chars. */
    public static String hash(String key) {
        return SecretTokens.hash(key);
    }

    /** The first characters of a key, safe to show and log to tell keys apart. */
    public static String displayPrefix(String key) {
        return key.substring(0, Math.min(key.length(), 10));
    }
}
