package dev.traceflow.realtime.internal.broker;

import dev.traceflow.realtime.internal.broker.BrokerFixture.Client;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** A connection's access over time: token expiry, in-band renewal and the broker's rechecks, driven by a manual clock and executor. */
class ConnectionAccessTest {

    private final BrokerFixture f = new BrokerFixture();

    @Test
    void anExpiredToken_closesTheConnectionWithUnauthorized() {
        FakeAuth auth = new FakeAuth();
        auth.expiresAt = f.time.instant().plusSeconds(60);
        Client c = f.connect("shop", "u1", "192.0.2.1", auth);

        f.time.advance(Duration.ofSeconds(59));
        f.flush();
        assertThat(c.channel().closedWith()).isNull();
        f.time.advance(Duration.ofSeconds(1));
        f.flush();

        assertThat(c.lastError().path("code").asString()).isEqualTo("UNAUTHORIZED");
        assertThat(c.channel().closedWith()).isEqualTo(CloseReason.UNAUTHORIZED);
        assertThat(c.connection().isClosed()).isTrue();
    }

    @Test
    void aFreshTokenInBand_keepsTheConnectionOpen_andABadOneChangesNothing() {
        FakeAuth auth = new FakeAuth();
        auth.expiresAt = f.time.instant().plusSeconds(60);
        auth.validToken = "fresh";
        auth.renewedExpiry = f.time.instant().plusSeconds(900);
        Client c = f.connect("shop", "u1", "192.0.2.1", auth);

        c.send("{\"type\":\"auth\",\"token\":\"forged\"}");
        f.flush();
        assertThat(c.lastError().path("code").asString()).isEqualTo("UNAUTHORIZED");
        c.send("{\"type\":\"auth\",\"token\":\"fresh\"}");
        f.time.advance(Duration.ofSeconds(120));
        f.flush();

        assertThat(c.channel().ofType("authenticated").getFirst().path("expiresAt").asLong())
                .isEqualTo(auth.renewedExpiry.toEpochMilli());
        assertThat(c.channel().closedWith()).isNull();
        f.time.advance(Duration.ofSeconds(780));
        f.flush();
        assertThat(c.channel().closedWith()).as("the fresh token expires in its turn").isEqualTo(CloseReason.UNAUTHORIZED);
    }

    @Test
    void aRecheck_closesAConnectionWhoseTokenExpired_whenNoTimerSawIt() {
        FakeAuth auth = new FakeAuth();
        Client c = f.connect("shop", "u1", "192.0.2.1", auth);
        auth.expiresAt = f.time.instant().minusSeconds(1); // as when the clock jumped past it: no timer was armed for it

        f.broker.recheckAll();
        f.flush();

        assertThat(c.channel().closedWith()).isEqualTo(CloseReason.UNAUTHORIZED);
    }

    @Test
    void aRecheckThatRefuses_closesTheConnection_withItsReason() {
        FakeAuth disabled = new FakeAuth();
        Client c = f.connect("shop", "u1", "192.0.2.1", disabled);
        FakeAuth removed = new FakeAuth();
        Client d = f.connect("shop", "u2", "192.0.2.2", removed);
        disabled.recheckRefuses = new AuthRefused(ErrorCode.UNAUTHORIZED, "the account is disabled");
        removed.recheckRefuses = new AuthRefused(ErrorCode.FORBIDDEN, "no role on the app");

        f.time.advance(Duration.ofSeconds(5)); // the recheck interval
        f.flush();
        f.time.advance(Duration.ofSeconds(2));
        f.flush();

        assertThat(c.channel().closedWith()).isEqualTo(CloseReason.UNAUTHORIZED);
        assertThat(d.channel().closedWith()).isEqualTo(CloseReason.FORBIDDEN);
        assertThat(d.lastError().path("code").asString()).isEqualTo("FORBIDDEN");
    }

    @Test
    void aRecheckThatNoLongerAllowsATopic_endsThatSubscriptionOnly() {
        FakeAuth auth = new FakeAuth();
        Client c = f.connect("shop", "u1", "192.0.2.1", auth);
        c.subscribe("orders:1");
        c.subscribe("notice:global");
        FakeAuth demoted = new FakeAuth();
        demoted.subscribe = t -> t.startsWith("notice:");
        auth.recheckGives = demoted;

        f.broker.recheckAll();
        Client backend = f.connect("shop");
        backend.publish("orders:1", "o", "1");
        backend.publish("notice:global", "n", "1");
        f.flush();

        assertThat(c.lastError().path("code").asString()).isEqualTo("FORBIDDEN_TOPIC");
        assertThat(c.lastError().path("topic").asString()).isEqualTo("orders:1");
        assertThat(c.channel().seqs("orders:1")).isEmpty();
        assertThat(c.channel().seqs("notice:global")).containsExactly(1L);
        assertThat(c.channel().closedWith()).isNull();
    }
}
