package dev.traceflow.realtime.internal.broker;

import dev.traceflow.realtime.PreparedText;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Messages prepared once for many connections (a build log's lines) reach the transport in runs, not one at a time. */
class PreparedRunsTest {

    private final BrokerFixture fixture = new BrokerFixture(BrokerFixture.settings(1000, 5));

    private static List<PreparedText> logLines(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> PreparedText.of("{\"type\":\"log\",\"cursor\":" + i + "}")).toList();
    }

    @Test
    void preparedMessagesQueuedTogether_goToTheTransportAsOneRun_inOrder_andOtherMessagesKeepTheirPlace() {
        BrokerFixture.Client c = fixture.connect("app1");
        assertThat(c.connection().sendPrepared(logLines(1, 3))).isTrue();
        assertThat(c.connection().send("{\"type\":\"end\"}")).isTrue();
        assertThat(c.connection().sendPrepared(logLines(4, 4))).isTrue();
        fixture.flush();
        assertThat(c.channel().raw()).containsExactly("{\"type\":\"log\",\"cursor\":1}", "{\"type\":\"log\",\"cursor\":2}",
                "{\"type\":\"log\",\"cursor\":3}", "{\"type\":\"end\"}", "{\"type\":\"log\",\"cursor\":4}");
        assertThat(c.channel().preparedRuns()).containsExactly(3, 1);
        assertThat(fixture.counter("traceflow.realtime.messages.sent", null, null)).isEqualTo(5);
    }

    @Test
    void aLongBurst_goesInRunsOfAtMostTheLimit() {
        BrokerFixture.Client c = fixture.connect("app1");
        int total = 2 * ConnectionWriter.MAX_PREPARED_RUN + 88;
        c.connection().sendPrepared(logLines(1, total));
        fixture.flush();
        assertThat(c.channel().preparedRuns()).containsExactly(ConnectionWriter.MAX_PREPARED_RUN, ConnectionWriter.MAX_PREPARED_RUN, 88);
        assertThat(c.channel().raw()).hasSize(total).last().isEqualTo("{\"type\":\"log\",\"cursor\":" + total + "}");
    }

    @Test
    void aClosedConnection_takesNoMore() {
        BrokerFixture.Client c = fixture.connect("app1");
        c.connection().close();
        assertThat(c.connection().sendPrepared(logLines(1, 2))).isFalse();
        fixture.flush();
        assertThat(c.channel().preparedRuns()).isEmpty();
    }
}
