package dev.traceflow.alerts;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The {@code X-TraceFlow-Signature} of alert webhooks (API.md "Alerts"):
 * {@code t=<unix seconds>,v1=<lowercase hex HMAC-SHA256 of "<t>.<body>" keyed by the channel secret>}.
 * The timestamp is the attempt's, so every retry is signed anew; a receiver checks the HMAC and
 * that {@code t} is recent, which stops a captured request from being replayed later.
 */
public final class WebhookSignature {

    /** The request header that carries the signature. */
    public static final String HEADER = "X-TraceFlow-Signature";

    private static final int MAX_HEADER_LENGTH = 1024;

    private WebhookSignature() {
    }

    /**
     * @param secret      the channel's secret (its UTF-8 bytes are the key); not empty
     * @param unixSeconds the attempt's time
     * @param body        the request body exactly as sent
     * @return the header value, {@code t=1700000000,v1=5f0c...}
     */
    public static String sign(String secret, long unixSeconds, byte[] body) {
        return "t=" + unixSeconds + ",v1=" + hmac(secret, unixSeconds, body);
    }

    /**
     * Whether {@code header} is a valid signature of {@code body} by {@code secret}, made within
     * {@code tolerance} of {@code now} (either side, for clock skew). Any {@code v1} entry may
     * match (room for a second secret while rotating); anything malformed is false, never an exception.
     */
    public static boolean verify(String secret, String header, byte[] body, Instant now, Duration tolerance) {
        if (secret == null || secret.isEmpty() || header == null || header.length() > MAX_HEADER_LENGTH || body == null) {
            return false;
        }
        Long t = null;
        StringBuilder candidates = new StringBuilder();
        for (String part : header.split(",")) {
            String p = part.strip();
            if (p.startsWith("t=") && p.length() > 2 && p.length() <= 20 && p.substring(2).chars().allMatch(Character::isDigit)) {
                t = Long.parseLong(p.substring(2));
            } else if (p.startsWith("v1=")) {
                candidates.append(p.substring(3)).append(',');
            }
        }
        if (t == null || Math.abs(now.getEpochSecond() - t) > tolerance.toSeconds()) {
            return false;
        }
        byte[] expected = hmac(secret, t, body).getBytes(StandardCharsets.US_ASCII);
        boolean match = false;
        for (String candidate : candidates.toString().split(",")) {
            // constant time: how much of a guess matched must not show in the time taken
            match |= MessageDigest.isEqual(expected, candidate.getBytes(StandardCharsets.US_ASCII));
        }
        return match;
    }

    private static String hmac(String secret, long unixSeconds, byte[] body) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("the signing secret is empty");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((unixSeconds + ".").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
