package dev.traceflow.auth;

import java.nio.charset.StandardCharsets;

/**
 * What a password must be: at least {@value #MIN_LENGTH} characters and at most {@value #MAX_BYTES}
 * bytes in UTF-8 (bcrypt reads no more, so a longer one would be silently cut). One place for the
 * rule, read by the user API and by the start-up settings check, so a weak bootstrap password
 * stops the start before anything is written.
 */
public final class PasswordRules {

    public static final int MIN_LENGTH = 10;
    public static final int MAX_BYTES = 72;

    private PasswordRules() {
    }

    /** @return what is wrong with {@code password}, named as {@code field}, or null when nothing is */
    public static String problem(String field, String password) {
        if (password == null || password.length() < MIN_LENGTH) {
            return field + " must have at least " + MIN_LENGTH + " characters";
        }
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return field + " must be at most " + MAX_BYTES + " bytes in UTF-8 (bcrypt ignores the rest)";
        }
        return null;
    }
}
