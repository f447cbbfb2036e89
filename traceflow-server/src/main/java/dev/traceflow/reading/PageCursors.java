package dev.traceflow.reading;

import org.springframework.stereotype.Component;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * Opaque paging cursors: the position a list stopped at (any text the feature chooses, e.g. a sort
 * value and an id), signed so that a cursor that was edited or made up is refused with 400 instead
 * of reading from an arbitrary place. The key is made at start, so cursors do not survive a restart
 * (a client then starts the list again).
 */
@Component
public class PageCursors {

    private static final int MAC_BYTES = 12;
    private static final int MAX_CURSOR_LENGTH = 1024;

    private final SecretKeySpec key;

    PageCursors() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        this.key = new SecretKeySpec(secret, "HmacSHA256");
    }

    /** The cursor for a position. */
    public String encode(String position) {
        byte[] body = position.getBytes(StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(body, body.length + MAC_BYTES);
        System.arraycopy(mac(body), 0, out, body.length, MAC_BYTES);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    }

    /**
     * The position of a cursor this server made.
     *
     * @throws dev.traceflow.http.ApiException 400 {@code INVALID_PARAMETER} for any other text
     */
    public String decode(String cursor) {
        try {
            if (cursor.length() > MAX_CURSOR_LENGTH) {
                throw new IllegalArgumentException("too long");
            }
            byte[] raw = Base64.getUrlDecoder().decode(cursor);
            // the decoder ignores the unused low bits of the last character: only the exact text we
            // gave out is a cursor, so an edit there is refused like any other
            if (!Base64.getUrlEncoder().withoutPadding().encodeToString(raw).equals(cursor)) {
                throw new IllegalArgumentException("not canonical");
            }
            if (raw.length < MAC_BYTES) {
                throw new IllegalArgumentException("too short");
            }
            byte[] body = Arrays.copyOf(raw, raw.length - MAC_BYTES);
            byte[] mac = Arrays.copyOfRange(raw, raw.length - MAC_BYTES, raw.length);
            if (!MessageDigest.isEqual(mac, Arrays.copyOf(mac(body), MAC_BYTES))) {
                throw new IllegalArgumentException("bad signature");
            }
            return new String(body, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ReadRequests.invalid("cursor",
                    "cursor is not one this server gave out (edited, or from before a restart): start the list again without it");
        }
    }

    private byte[] mac(byte[] body) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(key);
            return m.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
