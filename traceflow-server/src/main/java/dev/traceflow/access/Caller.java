package dev.traceflow.access;

/**
 * The authenticated person behind a request (the principal of every authenticated request).
 *
 * @param userId   stable id (the access token's {@code sub})
 * @param username lower-case login name
 * @param admin    global administrator: every app, user management, signing keys
 */
public record Caller(String userId, String username, boolean admin) {
}
