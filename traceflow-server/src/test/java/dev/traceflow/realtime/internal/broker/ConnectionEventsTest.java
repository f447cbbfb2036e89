package dev.traceflow.realtime.internal.broker;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What the broker tells its {@link ConnectionEvents} (the audit trail's source): each fact once, with its cause. */
class ConnectionEventsTest {

    /** The events as text, in order: "opened c1", "subscribed c1 orders:1 resume=false", "closed c1 dropped abnormal=true". */
    private static final class Recording implements ConnectionEvents {
        final List<String> seen = new ArrayList<>();

        @Override
        public synchronized void opened(Connection c) {
            seen.add("opened " + c.id());
        }

        @Override
        public synchronized void subscribed(Connection c, String topic, boolean resume) {
            seen.add("subscribed " + c.id() + " " + topic + " resume=" + resume);
        }

        @Override
        public synchronized void unsubscribed(Connection c, String topic, boolean byClient) {
            seen.add("unsubscribed " + c.id() + " " + topic + " byClient=" + byClient);
        }

        @Override
        public synchronized void closed(Connection c, String how, boolean abnormal) {
            seen.add("closed " + c.id() + " " + how + " abnormal=" + abnormal);
        }
    }

    private final Recording events = new Recording();
    private final BrokerFixture f = new BrokerFixture(BrokerFixture.SETTINGS, new ManualExecutor(), events);

    @Test
    void aClientsLife_opensSubscribesResumesUnsubscribes_andANormalCloseIsNotAbnormal() {
        BrokerFixture.Client c = f.connect("shop");
        String id = c.connection().id();
        c.subscribe("orders:1");
        f.flush();
        c.resume("orders:2", 0, "some-epoch");
        c.send("{\"type\":\"unsubscribe\",\"topic\":\"orders:1\"}");
        c.send("{\"type\":\"unsubscribe\",\"topic\":\"never-subscribed\"}");
        c.connection().closedByTransport(1000);
        c.connection().closedByTransport(1006); // a late second report changes nothing

        assertThat(events.seen).containsExactly("opened " + id, "subscribed " + id + " orders:1 resume=false",
                "subscribed " + id + " orders:2 resume=true", "unsubscribed " + id + " orders:1 byClient=true",
                "closed " + id + " client_closed abnormal=false");
    }

    @Test
    void aForbiddenSubscribe_isNoSubscription() {
        FakeAuth auth = new FakeAuth();
        auth.subscribe = t -> false;
        BrokerFixture.Client c = f.connect("shop", "u1", "192.0.2.1", auth);
        c.subscribe("orders:1");

        assertThat(events.seen).containsExactly("opened " + c.connection().id());
    }

    @Test
    void closeCodes_tellNormalFromAbnormal() {
        for (int code : new int[] {1001, 1005, 1006, 1011, 4000}) {
            f.connect("shop").connection().closedByTransport(code);
        }
        f.connect("shop").connection().failedInTransport();

        assertThat(events.seen.stream().filter(s -> s.startsWith("closed")).map(s -> s.substring(s.indexOf(' ', 7) + 1)).toList())
                .containsExactly("client_closed abnormal=false", "client_closed abnormal=false", "dropped abnormal=true",
                        "client_closed_1011 abnormal=true", "client_closed_4000 abnormal=true", "dropped abnormal=true");
    }

    @Test
    void theServersCut_isTheCause_whateverTheTransportReportsAfter_andShutdownIsNotAbnormal() {
        BrokerFixture.Client slow = f.connect("shop");
        slow.subscribe("orders:1");
        f.flush();
        BrokerFixture.Client backend = f.connect("shop");
        for (int i = 1; i <= 12; i++) { // the queue holds 10
            backend.publish("orders:1", "e" + i, String.valueOf(i));
            f.executor.runAllExcept(slow.connection());
        }
        f.flush();
        slow.connection().closedByTransport(4008); // the transport then reports the close the server sent
        BrokerFixture.Client other = f.connect("shop");
        f.broker.shutdown();
        f.flush();

        assertThat(events.seen).contains("closed " + slow.connection().id() + " SLOW_CONSUMER abnormal=true",
                "closed " + other.connection().id() + " SHUTDOWN abnormal=false");
        assertThat(events.seen.stream().filter(s -> s.startsWith("closed " + slow.connection().id() + " "))).hasSize(1);
    }

    @Test
    void aRecheckThatNoLongerAllowsATopic_endsItsSubscription_notByTheClient() {
        FakeAuth auth = new FakeAuth();
        BrokerFixture.Client c = f.connect("shop", "u1", "192.0.2.1", auth);
        c.subscribe("orders:1");
        FakeAuth demoted = new FakeAuth();
        demoted.subscribe = t -> false;
        auth.recheckGives = demoted;

        f.broker.recheckAll();

        assertThat(events.seen).contains("unsubscribed " + c.connection().id() + " orders:1 byClient=false");
    }
}
