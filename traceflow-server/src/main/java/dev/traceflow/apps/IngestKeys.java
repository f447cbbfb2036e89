package dev.traceflow.apps;

import dev.traceflow.auth.SecretTokens;

/** Ingest key format: {@code tfk_} + 256 random bits, stored as their SHA-256 ({@link SecretTokens}). */
public final class IngestKeys {

    static final String PREFIX = "tfk_";

    private IngestKeys() {
    }

    /** A new key: {@code tfk_} + 43 base64url characters. */
    public static String generate() {
        return SecretTokens.generate(PREFIX);
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
