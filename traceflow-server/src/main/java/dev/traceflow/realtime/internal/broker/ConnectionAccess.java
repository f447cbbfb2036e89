package dev.traceflow.realtime.internal.broker;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What a connection may do, over time: its current {@link ConnectionAuth} snapshot, replaced when
 * the client renews its token in-band or the broker's periodic recheck reads the account again; the
 * timer that closes the connection when its credential expires; and the subscriptions a narrower
 * snapshot no longer allows, which end.
 * <p>
 * Threads: the snapshot is read without a lock (it is immutable); the expiry timer is guarded by
 * the connection's lock (see {@link ConnectionWriter}).
 */
final class ConnectionAccess {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionAccess.class);

    private final Connection connection;
    private final Broker broker;
    private final ReentrantLock lock;
    private volatile ConnectionAuth auth;
    private Timers.Scheduled expiryTimer;

    ConnectionAccess(Connection connection, Broker broker, ReentrantLock lock, ConnectionAuth auth) {
        this.connection = connection;
        this.broker = broker;
        this.lock = lock;
        this.auth = auth;
    }

    /** The snapshot in use now. */
    ConnectionAuth current() {
        return auth;
    }

    /** Arms the expiry timer for the current credential. Called once the connection is registered. */
    void start() {
        armExpiry();
    }

    /** Checks the credential, account and role again; closes the connection when they no longer let it in. May block. */
    void recheck() {
        ConnectionAuth current = auth;
        Instant expires = current.expiresAt();
        if (expires != null && expires.toEpochMilli() <= broker.clock.millis()) {
            expireIfDue(); // its timer is due too; whichever comes first closes it
            return;
        }
        try {
            ConnectionAuth fresh = current.recheck();
            if (auth == current) {
                apply(fresh);
            }
        } catch (AuthRefused e) {
            connection.terminate(CloseReason.of(e.code()), e.code(), e.getMessage());
        } catch (RuntimeException e) {
            // a failing database must not cut every connection off: they keep their access until it answers again
            LOG.warn("Realtime access check failed for connection {}; it keeps its access until the next check", connection.id(), e);
        }
    }

    /** The client's in-band {@code auth} message: a fresh token of the same person, or an error that keeps the current one. */
    void renew(String token) {
        ConnectionAuth fresh;
        try {
            fresh = auth.renew(token);
        } catch (AuthRefused e) {
            connection.reply(WireFormat.error(ErrorCode.UNAUTHORIZED, e.getMessage() + "; the connection keeps its current token until it expires",
                    null, null));
            return;
        }
        apply(fresh);
        Instant expires = fresh.expiresAt();
        connection.reply(WireFormat.authenticated(expires == null ? null : expires.toEpochMilli()));
    }

    /** Under the lock: the connection is gone. */
    void cancelLocked() {
        if (expiryTimer != null) {
            expiryTimer.cancel();
        }
    }

    /** Uses a new access snapshot: re-arms the expiry, and ends subscriptions it no longer allows. */
    private void apply(ConnectionAuth fresh) {
        auth = fresh;
        armExpiry();
        List<Subscription> lost = new ArrayList<>();
        lock.lock();
        try {
            for (Subscription s : connection.subscriptionsLocked()) {
                if (!fresh.maySubscribe(s.topic.name)) {
                    lost.add(s);
                }
            }
        } finally {
            lock.unlock();
        }
        for (Subscription s : lost) {
            connection.detach(s);
            broker.events.unsubscribed(connection, s.topic.name, false);
            connection.reply(WireFormat.error(ErrorCode.FORBIDDEN_TOPIC, "this connection may no longer subscribe to '" + s.topic.name
                    + "': the subscription ended", s.topic.name, null));
        }
    }

    private void armExpiry() {
        Instant expires = auth.expiresAt();
        lock.lock();
        try {
            if (expiryTimer != null) {
                expiryTimer.cancel();
                expiryTimer = null;
            }
            if (expires != null && !connection.isClosed()) {
                Duration in = Duration.ofMillis(Math.max(0, expires.toEpochMilli() - broker.clock.millis()));
                expiryTimer = broker.timers.schedule(in, this::expireIfDue);
            }
        } finally {
            lock.unlock();
        }
    }

    private void expireIfDue() {
        Instant expires = auth.expiresAt();
        if (expires == null) {
            return;
        }
        if (expires.toEpochMilli() <= broker.clock.millis()) {
            connection.terminate(CloseReason.UNAUTHORIZED, ErrorCode.UNAUTHORIZED,
                    "the access token expired; send {type:'auth', token} with a fresh one before it does");
        } else {
            armExpiry();
        }
    }
}
