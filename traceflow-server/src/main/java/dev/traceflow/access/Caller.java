package dev.traceflow.access;

/**
 * The authenticated person behind a request (the principal of every authenticated request).
 *
 * @param userId   stable id (the access token's {@code sub})
 * @param username lower-case login name
 * @param admin    global administrator: every app, user management, signing keys (for an API token:
 *                 only when the token asked for it and the user is an admin now)
 * @param ceiling  null after a login (an access token); for an API token, the roles it is limited to,
 *                 which {@link AppAccess} applies on every check
 */
public record Caller(String userId, String username, boolean admin, TokenCeiling ceiling) {

    /** A caller who logged in (bearer access token): the user's own roles, no ceiling. */
    public Caller(String userId, String username, boolean admin) {
        this(userId, username, admin, null);
    }

    /**
     * Whether the request came with an API token rather than a login: creating API tokens and
     * changing the password need a login, so that a leaked token cannot outlive its revocation.
     */
    public boolean viaApiToken() {
        return ceiling != null;
    }
}
