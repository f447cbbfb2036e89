package dev.traceflow.builds.internal;

import org.erdtman.jcs.JsonCanonicalizer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The RFC 8785 (JSON Canonicalization Scheme) form of a JSON value and its sha256: key order,
 * whitespace and number spelling ({@code 1.0} / {@code 1}) never change it.
 */
final class CanonicalJson {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private CanonicalJson() {
    }

    static String canonical(JsonNode value) {
        try {
            return new JsonCanonicalizer(JSON.writeValueAsString(value)).getEncodedString();
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree always canonicalizes", e);
        }
    }

    /** Lower-case hex sha256 of the canonical form's UTF-8 bytes. */
    static String sha256(JsonNode value) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical(value).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
