package dev.traceflow.realtime.internal.broker;

import java.time.Instant;
import java.util.function.Predicate;

/**
 * A connection's access in tests: topic predicates, an expiry, and what a recheck or an in-band
 * token leads to, all set by the test.
 */
final class FakeAuth implements ConnectionAuth {

    Predicate<String> subscribe = t -> true;
    Predicate<String> publish = t -> true;
    Instant expiresAt;
    /** the next recheck's answer: null keeps this one */
    ConnectionAuth recheckGives;
    AuthRefused recheckRefuses;
    /** the token {@link #renew} accepts, and the expiry it gives */
    String validToken;
    Instant renewedExpiry;

    @Override
    public Instant expiresAt() {
        return expiresAt;
    }

    @Override
    public boolean maySubscribe(String topic) {
        return subscribe.test(topic);
    }

    @Override
    public boolean mayPublish(String topic) {
        return publish.test(topic);
    }

    @Override
    public ConnectionAuth recheck() throws AuthRefused {
        if (recheckRefuses != null) {
            throw recheckRefuses;
        }
        return recheckGives == null ? this : recheckGives;
    }

    @Override
    public ConnectionAuth renew(String token) throws AuthRefused {
        if (!token.equals(validToken)) {
            throw new AuthRefused(ErrorCode.UNAUTHORIZED, "the token is not valid");
        }
        FakeAuth renewed = new FakeAuth();
        renewed.subscribe = subscribe;
        renewed.publish = publish;
        renewed.expiresAt = renewedExpiry;
        return renewed;
    }
}
