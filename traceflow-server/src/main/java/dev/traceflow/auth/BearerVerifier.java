package dev.traceflow.auth;

import dev.traceflow.access.Caller;

import java.time.Instant;
import java.util.Optional;

/**
 * Verifies a user's bearer credential where the HTTP filter chain does not run: a WebSocket
 * handshake, a token sent in-band on an open connection. The same rules as the chain: an access
 * token (JWT, verified as {@code AccessTokens} does, with the user's current token version) or an
 * API token ({@code tft_...}, with its role ceiling). Ingest keys are no user credential.
 */
public interface BearerVerifier {

    /**
     * @param bearer the credential as presented, without {@code Bearer }
     * @throws BearerRefused when it is not a valid, current credential (with {@link BearerRefused#expired()} for an expired one)
     */
    VerifiedBearer verify(String bearer) throws BearerRefused;

    /**
     * Checks a credential verified earlier again, without the secret: the user is still enabled, their
     * access tokens were not ended (password or role change), an API token was not revoked and has not
     * expired. Cheap enough to call every few seconds per connection (an access token's check is cached
     * for a few seconds; an API token's is one indexed read).
     *
     * @return the caller as of now (an API token's admin flag follows its user), empty when it no longer works
     */
    Optional<VerifiedBearer> recheck(VerifiedBearer verified);

    /**
     * A credential that was valid when verified.
     *
     * @param expiresAt    when it stops working by itself
     * @param tokenVersion the user's token version an access token carries (0 for an API token)
     */
    record VerifiedBearer(Caller caller, Instant expiresAt, int tokenVersion) {
    }

    /** A credential that does not let its bearer in; never carries the credential. */
    final class BearerRefused extends Exception {

        private final boolean expired;

        public BearerRefused(String message, boolean expired) {
            super(message, null, false, false);
            this.expired = expired;
        }

        /** Refused only because it expired: the client should refresh it, not log in again. */
        public boolean expired() {
            return expired;
        }
    }
}
