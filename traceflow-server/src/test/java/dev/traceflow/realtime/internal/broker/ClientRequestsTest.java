package dev.traceflow.realtime.internal.broker;

import dev.traceflow.realtime.internal.broker.BrokerFixture.Client;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a connection does with its client's messages: limits, refusals and errors, driven by a manual clock and executor. */
class ClientRequestsTest {

    private final BrokerFixture f = new BrokerFixture();

    @Test
    void aConnection_mayNotSendMoreThanItsRate_andMayAgainOnceTheBucketRefills() {
        Client c = f.connect("shop");
        for (int i = 0; i < 200; i++) { // 100 a second, bursts of 200
            c.send("{\"type\":\"ping\"}");
            f.flush();
        }
        c.send("{\"type\":\"ping\"}");
        f.flush();
        assertThat(c.channel().ofType("pong")).hasSize(200);
        assertThat(c.lastError().path("code").asString()).isEqualTo("RATE_LIMITED");

        f.time.advance(Duration.ofMillis(10));
        c.send("{\"type\":\"ping\"}");
        f.flush();
        assertThat(c.channel().ofType("pong")).hasSize(201);
    }

    @Test
    void aFloodOverTheRate_getsOneErrorPerSpell_soItsOwnErrorsDoNotCutItOffAsASlowConsumer() {
        BrokerFixture roomy = new BrokerFixture(BrokerFixture.settings(300, 5));
        Client c = roomy.connect("shop");
        for (int i = 0; i < 400; i++) { // the writer does not run meanwhile: everything stays queued
            c.send("{\"type\":\"ping\"}");
        }
        roomy.flush();

        assertThat(c.channel().closedWith()).isNull();
        assertThat(c.channel().ofType("pong")).hasSize(200);
        assertThat(c.channel().ofType("error")).hasSize(1);
        assertThat(roomy.meters.get("traceflow.realtime.drops").tag("reason", "rate_limited").counter().count()).isEqualTo(200);

        roomy.time.advance(Duration.ofMillis(10));
        c.send("{\"type\":\"ping\"}");
        c.send("{\"type\":\"ping\"}");
        roomy.flush();
        assertThat(c.channel().ofType("pong")).as("one message a bucket refilled by 10 ms").hasSize(201);
        assertThat(c.channel().ofType("error")).as("a new spell is told again").hasSize(2);
    }

    @Test
    void aMessageOverTheSizeLimit_isRefused_andTheConnectionStays() {
        Client c = f.connect("shop");
        c.publish("orders:1", "big", "\"" + "x".repeat(4096) + "\"");
        c.send("{\"type\":\"ping\"}");
        f.flush();

        assertThat(c.channel().ofType("error").getFirst().path("code").asString()).isEqualTo("MESSAGE_TOO_LARGE");
        assertThat(c.channel().ofType("pong")).hasSize(1);
        assertThatThrownBy(() -> f.broker.publish("shop", "orders:1", "\"" + "é".repeat(2100) + "\"", "http-big"))
                .isInstanceOf(PublishRefused.class).extracting(e -> ((PublishRefused) e).code()).isEqualTo(ErrorCode.MESSAGE_TOO_LARGE);
    }

    @Test
    void aConnection_hasAtMostItsSubscriptions_andAResubscribeIsNoNewOne() {
        Client c = f.connect("shop");
        for (int i = 1; i <= 5; i++) {
            c.subscribe("t:" + i);
        }
        c.subscribe("t:1");
        c.subscribe("t:6");
        f.flush();

        assertThat(c.lastError().path("code").asString()).isEqualTo("TOO_MANY_SUBSCRIPTIONS");
        assertThat(c.lastError().path("topic").asString()).isEqualTo("t:6");
        assertThat(c.connection().subscriptionCount()).isEqualTo(5);
        c.send("{\"type\":\"unsubscribe\",\"topic\":\"t:2\"}");
        c.subscribe("t:6");
        f.flush();
        assertThat(c.subscribed("t:6")).isNotNull();
    }

    @Test
    void anUnsubscribedTopic_sendsNothingMore() {
        Client c = f.connect("shop");
        c.subscribe("orders:1");
        Client backend = f.connect("shop");
        backend.publish("orders:1", "e1", "1");
        c.send("{\"type\":\"unsubscribe\",\"topic\":\"orders:1\"}");
        backend.publish("orders:1", "e2", "2");
        f.flush();
        f.time.advance(Duration.ofMinutes(1));
        f.flush();

        assertThat(c.channel().seqs("orders:1")).isEmpty();
    }

    @Test
    void topicsTheConnectionMayNotUse_areRefusedWithForbiddenTopic() {
        FakeAuth viewer = new FakeAuth();
        viewer.subscribe = t -> t.startsWith("notice:");
        viewer.publish = t -> false;
        Client c = f.connect("shop", "u1", "192.0.2.1", viewer);

        c.subscribe("orders:1");
        c.publish("notice:global", "x", "1");
        c.subscribe("notice:global");
        f.flush();

        List<JsonNode> errors = c.channel().ofType("error");
        assertThat(errors).extracting(e -> e.path("code").asString()).containsExactly("FORBIDDEN_TOPIC", "FORBIDDEN_TOPIC");
        assertThat(errors.get(0).path("topic").asString()).isEqualTo("orders:1");
        assertThat(errors.get(1).path("id").asString()).isEqualTo("x");
        assertThat(c.subscribed("notice:global")).isNotNull();
        assertThat(f.broker.existingTopic("shop", "orders:1")).as("nothing created for a refused subscribe").isNull();
    }

    @Test
    void badMessages_areAnsweredWithBadMessage_andTheConnectionStays() {
        Client c = f.connect("shop");
        List<String> junk = List.of("not json", "[1,2]", "42", "{}", "{\"type\":\"dance\"}", "{\"type\":\"subscribe\"}",
                "{\"type\":\"subscribe\",\"topic\":\"has space\"}", "{\"type\":\"subscribe\",\"topic\":\"a\",\"lastseq\":1}",
                "{\"type\":\"subscribe\",\"topic\":\"a\",\"lastSeq\":-1,\"epoch\":\"e\"}",
                "{\"type\":\"subscribe\",\"topic\":\"a\",\"lastSeq\":1.5}",
                "{\"type\":\"publish\",\"topic\":\"a\",\"payload\":1}", "{\"type\":\"publish\",\"topic\":\"a\",\"id\":\"x\"}",
                "{\"type\":\"publish\",\"topic\":\"a\",\"id\":\"\",\"payload\":1}", "{\"type\":\"ack\",\"topic\":\"a\"}",
                "{\"type\":\"ack\",\"topic\":\"a\",\"seq\":\"1\"}", "{\"type\":\"ping\",\"type\":\"ping\"}",
                "{\"type\":\"auth\"}", "{\"type\":\"subscribe\",\"topic\":\"" + "a".repeat(129) + "\"}");
        for (String message : junk) {
            c.send(message);
            f.flush();
        }
        c.connection().receiveBinary();
        c.send("{\"type\":\"ping\"}");
        f.flush();

        List<JsonNode> errors = c.channel().ofType("error");
        assertThat(errors).hasSize(junk.size() + 1);
        assertThat(errors).allSatisfy(e -> assertThat(e.path("code").asString()).isEqualTo("BAD_MESSAGE"));
        assertThat(c.channel().ofType("pong")).hasSize(1);
        assertThat(c.channel().closedWith()).isNull();
        assertThat(f.counter("traceflow.realtime.drops", "reason", "bad_message")).isEqualTo(junk.size() + 1);
    }

    @Test
    void aPublishMayCarrySeed001sSeq_whichTheServerIgnores() {
        Client c = f.connect("shop");
        c.send("{\"type\":\"publish\",\"topic\":\"a\",\"id\":\"x\",\"payload\":null,\"seq\":99}");
        f.flush();

        assertThat(c.channel().last().path("type").asString()).isEqualTo("ack");
        assertThat(c.channel().last().path("seq").asLong()).isEqualTo(1);
    }
}
