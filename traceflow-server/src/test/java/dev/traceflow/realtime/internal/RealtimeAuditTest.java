package dev.traceflow.realtime.internal;

import dev.traceflow.audit.AuditLog;
import dev.traceflow.realtime.internal.broker.AuthRefused;
import dev.traceflow.realtime.internal.broker.Broker;
import dev.traceflow.realtime.internal.broker.BrokerSettings;
import dev.traceflow.realtime.internal.broker.ClientChannel;
import dev.traceflow.realtime.internal.broker.CloseReason;
import dev.traceflow.realtime.internal.broker.Connection;
import dev.traceflow.realtime.internal.broker.ConnectionAuth;
import dev.traceflow.realtime.internal.broker.ConnectionRefused;
import io.github.bucket4j.TimeMeter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The realtime audit trail: a row each for identified clients (within a budget per app and minute),
 * counted rows for anonymous pages, for what went over the budget, and for refused handshakes. The
 * broker is real (its writers run inline); the clock moves when the test says; rows are what the
 * audit log was asked to record.
 */
class RealtimeAuditTest {

    /** A clock the test moves; starts 10 s into a minute. */
    private static final class MovableClock extends Clock {
        long millis = Instant.parse("2026-12-04T21:00:10Z").toEpochMilli();

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    private static final class Rows implements AuditLog {
        final List<RealtimeAudit.Row> written = new ArrayList<>();
        boolean failing;

        @Override
        public void record(String action, String resourceType, String resourceId, String appId, Map<String, ?> details) {
            throw new AssertionError("realtime rows are recorded with their client IP");
        }

        @Override
        public void recordAs(String actorId, String actorName, String action, String resourceType, String resourceId, String appId,
                             Map<String, ?> details) {
            throw new AssertionError("realtime rows are recorded with their client IP");
        }

        @Override
        @SuppressWarnings("unchecked")
        public void recordFrom(String clientIp, String actorId, String actorName, String action, String resourceType, String resourceId,
                               String appId, Map<String, ?> details) {
            if (failing) {
                throw new IllegalStateException("the database is away");
            }
            written.add(new RealtimeAudit.Row(clientIp, actorId, actorName, action, resourceType, resourceId, appId,
                    (Map<String, Object>) details));
        }

        List<String> actions() {
            return written.stream().map(RealtimeAudit.Row::action).toList();
        }

        RealtimeAudit.Row only(String action) {
            List<RealtimeAudit.Row> of = written.stream().filter(r -> r.action().equals(action)).toList();
            assertThat(of).as(action).hasSize(1);
            return of.getFirst();
        }
    }

    private record Access(Actor actor) implements ConnectionAuth {
        @Override
        public Instant expiresAt() {
            return null;
        }

        @Override
        public boolean maySubscribe(String topic) {
            return true;
        }

        @Override
        public boolean mayPublish(String topic) {
            return true;
        }

        @Override
        public ConnectionAuth recheck() {
            return this;
        }

        @Override
        public ConnectionAuth renew(String token) throws AuthRefused {
            return this;
        }
    }

    private static final ClientChannel NOWHERE = new ClientChannel() {
        @Override
        public void send(String json) {
        }

        @Override
        public void close(CloseReason reason) {
        }
    };

    private static final ConnectionAuth.Actor ALICE = new ConnectionAuth.Actor("u-1", "alice", null);
    private static final ConnectionAuth.Actor BACKEND = new ConnectionAuth.Actor(null, "server key k-9", "k-9");

    private final MovableClock clock = new MovableClock();
    private final Rows rows = new Rows();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private RealtimeAudit audit(int rowsPerAppPerMinute) {
        return new RealtimeAudit(rows, clock, rowsPerAppPerMinute, meters);
    }

    private Broker broker(RealtimeAudit audit) {
        Broker broker = new Broker(new BrokerSettings(4096, 100, 100, 1000, 1000, 10, 100, 100, 100, Duration.ofMinutes(1),
                1 << 20, Duration.ofSeconds(5), Duration.ofSeconds(20), 3, Duration.ofMinutes(2), 100, 100,
                Duration.ofMinutes(10), Duration.ofSeconds(5), Duration.ofSeconds(2)),
                clock, TimeMeter.SYSTEM_MILLISECONDS, (delay, task) -> () -> { }, Runnable::run, meters, (app, topic) -> false, audit);
        broker.start();
        return broker;
    }

    private static Connection open(Broker broker, String app, ConnectionAuth.Actor actor, String ip) {
        try {
            return broker.open(app, new Access(actor), actor == null ? null : actor.userId(), ip, NOWHERE);
        } catch (ConnectionRefused e) {
            throw new AssertionError(e);
        }
    }

    private void nextMinute() {
        clock.millis += Duration.ofMinutes(1).toMillis();
    }

    @Test
    void anIdentifiedClient_getsARowForConnectSubscribeUnsubscribe_andAnAbnormalDisconnect_withItsIp() {
        RealtimeAudit audit = audit(300);
        Broker broker = broker(audit);
        Connection c = open(broker, "shop", ALICE, "198.51.100.7");
        c.receive("{\"type\":\"subscribe\",\"topic\":\"orders:1\"}");
        c.receive("{\"type\":\"subscribe\",\"topic\":\"orders:2\",\"lastSeq\":3,\"epoch\":\"e\"}");
        c.receive("{\"type\":\"unsubscribe\",\"topic\":\"orders:1\"}");
        c.closedByTransport(1006);
        Connection leftNormally = open(broker, "shop", ALICE, "198.51.100.7");
        leftNormally.closedByTransport(1000);

        audit.flush(false);

        assertThat(rows.actions()).containsExactly("realtime.connect", "realtime.subscribe", "realtime.subscribe",
                "realtime.unsubscribe", "realtime.disconnect", "realtime.connect");
        RealtimeAudit.Row connect = rows.written.getFirst();
        assertThat(connect).isEqualTo(new RealtimeAudit.Row("198.51.100.7", "u-1", "alice", "realtime.connect", "realtime_connection",
                c.id(), "shop", Map.of()));
        assertThat(rows.written.get(1).resourceId()).isEqualTo("orders:1");
        assertThat(rows.written.get(1).details()).isEqualTo(Map.of("connection", c.id(), "resume", false));
        assertThat(rows.written.get(2).details()).containsEntry("resume", true);
        assertThat(rows.written.get(3).details()).containsEntry("by", "client");
        assertThat(rows.only("realtime.disconnect").details()).isEqualTo(Map.of("how", "dropped"));

        nextMinute();
        audit.flush(false);
        assertThat(rows.actions()).as("nothing counted: no counted row").doesNotContain("realtime.activity");
    }

    @Test
    void aBackendsServerKey_isNamedByItsKeyId() {
        RealtimeAudit audit = audit(300);
        open(broker(audit), "shop", BACKEND, "10.0.0.5");
        audit.flush(false);

        RealtimeAudit.Row connect = rows.only("realtime.connect");
        assertThat(connect.actorId()).isNull();
        assertThat(connect.actorName()).isEqualTo("server key k-9");
        assertThat(connect.details()).containsEntry("realtimeKeyId", "k-9");
    }

    @Test
    void anonymousPages_areCountedPerAppAndMinute_neverListed() {
        RealtimeAudit audit = audit(300);
        Broker broker = broker(audit);
        for (int i = 1; i <= 5; i++) {
            Connection page = open(broker, "shop", null, "203.0.113." + (i % 3));
            page.receive("{\"type\":\"subscribe\",\"topic\":\"notice:global\"}");
            page.closedByTransport(i == 5 ? 1006 : 1001);
        }
        open(broker, "kiosk", null, "203.0.113.9");

        audit.flush(false);
        assertThat(rows.written).as("within the minute: nothing yet").isEmpty();
        nextMinute();
        audit.flush(false);

        assertThat(rows.actions()).containsExactly("realtime.activity", "realtime.activity");
        RealtimeAudit.Row shop = rows.written.stream().filter(r -> "shop".equals(r.appId())).findFirst().orElseThrow();
        assertThat(shop.resourceId()).isEqualTo("shop");
        assertThat(shop.actorId()).isNull();
        assertThat(shop.details()).containsEntry("from", "2026-12-04T21:00:00Z").containsEntry("to", "2026-12-04T21:01:00Z");
        assertThat(shop.details().get("anonymous")).isEqualTo(Map.of("connects", 5, "subscribes", 5, "unsubscribes", 0,
                "abnormalDisconnects", Map.of("dropped", 1), "distinctIps", 3, "distinctIpsCapped", false));
        assertThat(shop.details()).doesNotContainKey("folded");
    }

    @Test
    void pastTheBudget_theMinutesFurtherRowsAreCounted_andTheNextMinuteHasItsOwn() {
        RealtimeAudit audit = audit(2);
        Broker broker = broker(audit);
        Connection c = open(broker, "shop", ALICE, "198.51.100.7");
        for (int i = 1; i <= 4; i++) {
            c.receive("{\"type\":\"subscribe\",\"topic\":\"t" + i + "\"}");
        }
        open(broker, "kiosk", ALICE, "198.51.100.7"); // another app's budget

        audit.flush(false);
        assertThat(rows.actions()).containsExactly("realtime.connect", "realtime.subscribe", "realtime.connect");
        nextMinute();
        c.receive("{\"type\":\"subscribe\",\"topic\":\"t5\"}");
        audit.flush(false);

        RealtimeAudit.Row counted = rows.only("realtime.activity");
        assertThat(counted.appId()).isEqualTo("shop");
        assertThat(counted.details()).containsEntry("folded", Map.of("realtime.subscribe", 3)).doesNotContainKey("anonymous");
        assertThat(rows.written.stream().filter(r -> "t5".equals(r.resourceId())).toList()).as("a new minute, a new budget").hasSize(1);
        assertThat(meters.counter("traceflow.realtime.audit.folded").count()).isEqualTo(3);
    }

    @Test
    @SuppressWarnings("unchecked")
    void refusedHandshakes_areOneRowPerMinute_byCode_withSomeOfTheirIps() {
        RealtimeAudit audit = audit(300);
        for (int i = 0; i < 30; i++) {
            audit.handshakeRefused(i % 3 == 0 ? "ORIGIN_NOT_ALLOWED" : "UNAUTHORIZED", "192.0.2." + i);
        }
        audit.handshakeRefused("TOKEN_EXPIRED", null);
        nextMinute();
        audit.flush(false);

        RealtimeAudit.Row refused = rows.only("realtime.handshake_refused");
        assertThat(refused.appId()).isNull();
        assertThat(refused.details()).containsEntry("refused", 31)
                .containsEntry("byCode", Map.of("ORIGIN_NOT_ALLOWED", 10, "UNAUTHORIZED", 20, "TOKEN_EXPIRED", 1))
                .containsEntry("distinctIps", 30);
        assertThat((List<Object>) refused.details().get("sampleIps")).hasSize(RealtimeAudit.SAMPLE_IPS).contains("192.0.2.0");
    }

    @Test
    void stopping_writesTheCurrentMinutesCounts_andAFailingWriteIsCountedNotThrown() {
        RealtimeAudit audit = audit(300);
        audit.handshakeRefused("UNAUTHORIZED", "192.0.2.1");
        rows.failing = true;
        audit.flush(true);
        assertThat(meters.counter("traceflow.realtime.audit.write.failures").count()).isEqualTo(1);

        rows.failing = false;
        audit.handshakeRefused("UNAUTHORIZED", "192.0.2.1");
        audit.stop();
        assertThat(rows.only("realtime.handshake_refused").details()).containsEntry("refused", 1);
    }

    @Test
    void aNegativeBudget_isRefused() {
        assertThatThrownBy(() -> audit(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
