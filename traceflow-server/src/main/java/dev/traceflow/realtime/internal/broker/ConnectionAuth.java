package dev.traceflow.realtime.internal.broker;

import java.time.Instant;

/**
 * What one connection may do, as decided when it connected, and how to decide it again. Each value
 * is an immutable snapshot: {@link #recheck()} and {@link #renew} return the next one, which the
 * connection then uses. The transport's authentication provides it; the broker never sees a token
 * except to hand an in-band one to {@link #renew}.
 */
public interface ConnectionAuth {

    /**
     * Who is connected, for the audit trail: a user (by id and name), or a backend's server key (by key
     * id); never a secret.
     *
     * @param userId the user, or null for a key
     * @param name   the user's name, or what names the key
     * @param keyId  the realtime key's id, or null for a user
     */
    record Actor(String userId, String name, String keyId) {
    }

    /** Who this is for the audit trail, or null for an anonymous browser client (its doings are counted, not listed). */
    default Actor actor() {
        return null;
    }

    /** When the credential stops working, or null when it does not expire (an app's public realtime key). */
    Instant expiresAt();

    boolean maySubscribe(String topic);

    boolean mayPublish(String topic);

    /**
     * Reads the account, its role on the app and the app's topic rules again (called every
     * {@link BrokerSettings#recheckInterval()}); may block on a database.
     *
     * @throws AuthRefused when the credential no longer works ({@link ErrorCode#UNAUTHORIZED}) or the user
     *                     has no role left on the app ({@link ErrorCode#FORBIDDEN})
     */
    ConnectionAuth recheck() throws AuthRefused;

    /**
     * A fresh token the client sent in-band ({@code {type:'auth', token}}); it must be the same person's.
     *
     * @throws AuthRefused when the token is bad, expired or someone else's; the connection keeps its current one
     */
    ConnectionAuth renew(String token) throws AuthRefused;
}
