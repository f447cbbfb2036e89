package dev.traceflow.realtime.internal.broker;

import java.time.Instant;

/**
 * What one connection may do, as decided when it connected, and how to decide it again. Each value
 * is an immutable snapshot: {@link #recheck()} and {@link #renew} return the next one, which the
 * connection then uses. The transport's authentication provides it; the broker never sees a token
 * except to hand an in-band one to {@link #renew}.
 */
public interface ConnectionAuth {

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
