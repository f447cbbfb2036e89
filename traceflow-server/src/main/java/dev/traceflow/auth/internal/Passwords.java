package dev.traceflow.auth.internal;

import dev.traceflow.TraceFlowProperties;
import dev.traceflow.auth.PasswordRules;
import dev.traceflow.http.ApiException;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.DelegatingPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Password hashing (bcrypt, through Spring Security's delegating encoder so the stored
 * {@code {bcrypt}} prefix lets a later release move to another algorithm) and the password rules.
 */
@Component
class Passwords {

    static final int MIN_LENGTH = PasswordRules.MIN_LENGTH;
    /** bcrypt reads at most 72 bytes; longer passwords would be silently cut, so they are refused. */
    static final int MAX_BYTES = PasswordRules.MAX_BYTES;

    private final PasswordEncoder encoder;
    /** Checked when the username does not exist, so a miss costs as long as a wrong password. */
    private final String dummyHash;

    Passwords(TraceFlowProperties properties) {
        this.encoder = new DelegatingPasswordEncoder("bcrypt",
                Map.of("bcrypt", new BCryptPasswordEncoder(properties.auth().bcryptStrength())));
        this.dummyHash = encoder.encode("not-a-real-password-0000");
    }

    String hash(String password) {
        return encoder.encode(password);
    }

    boolean matches(String password, String hash) {
        if (password == null || password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            encoder.matches("x", dummyHash);
            return false;
        }
        return encoder.matches(password, hash == null ? dummyHash : hash) && hash != null;
    }

    /** @throws ApiException 422 when the new password breaks a rule */
    static void checkRules(String field, String password) {
        String problem = PasswordRules.problem(field, password);
        if (problem != null) {
            throw invalid(problem);
        }
    }

    static ApiException invalid(String message) {
        return ApiException.invalid(message);
    }
}
