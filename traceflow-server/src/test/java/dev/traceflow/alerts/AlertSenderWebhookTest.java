package dev.traceflow.alerts;

import dev.traceflow.alerts.LoopbackReceiver.Received;
import dev.traceflow.alerts.LoopbackReceiver.Reply;
import dev.traceflow.outbound.OutboundGuard;
import dev.traceflow.support.TestProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * Webhook delivery against a real HTTP server on 127.0.0.1 (allowed by the guard's allow-list, as
 * {@code TRACEFLOW_OUTBOUND_ALLOWED_NETWORKS=127.0.0.1/32} would), with tiny delays and timeouts.
 */
class AlertSenderWebhookTest {

    private static final String SECRET = "whsec_0123456789abcdef";
    private static final String BODY = "{\"incident\":\"inc_1\",\"rule\":\"checkout errors\",\"state\":\"firing\",\"value\":42}";

    private final LoopbackReceiver receiver;
    private final List<DeliveryAttempt> attempts = new CopyOnWriteArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    /** Each reading is one second after the last: attempts get different signature times. */
    private final SteppingClock clock = new SteppingClock(Instant.parse("2026-03-01T12:00:00Z"));
    private final Map<String, String> settings = new HashMap<>(Map.of(
            "traceflow.alerts.delivery.base-delay", "10ms",
            "traceflow.alerts.delivery.max-delay", "40ms",
            "traceflow.alerts.delivery.max-attempts", "3",
            "traceflow.alerts.delivery.connect-timeout", "2s",
            "traceflow.alerts.delivery.request-timeout", "2s"));
    private OutboundGuard guard = new OutboundGuard(List.of("127.0.0.1/32"), host -> {
        if (host.equals("hooks.example.com")) {
            return List.of(InetAddress.getLoopbackAddress());
        }
        throw new UnknownHostException(host);
    });
    private DeliveryRecorder recorder = attempts::add;
    private AlertSender sender;

    AlertSenderWebhookTest() throws Exception {
        receiver = new LoopbackReceiver();
    }

    @AfterEach
    void stop() {
        receiver.close(); // first: ends the requests it holds, which the sender's stop would wait for
        if (sender != null) {
            sender.stop();
        }
    }

    /** Each test adjusts settings, guard or recorder first, then starts the sender. */
    private AlertSender sender() {
        DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
        if (recorder != null) {
            beans.registerSingleton("recorder", recorder);
        }
        sender = new AlertSender(TestProperties.of(settings), guard, beans.getBeanProvider(DeliveryRecorder.class), registry, clock);
        sender.start();
        return sender;
    }

    private static AlertMessage webhook(String id, String url) {
        return new AlertMessage(id, "ch_1", new ChannelTarget.Webhook(URI.create(url), SECRET), "subject", BODY, "text");
    }

    private List<DeliveryAttempt> awaitLast(String deliveryId) {
        await().atMost(Duration.ofSeconds(15)).until(() -> attempts.stream().anyMatch(a -> a.deliveryId().equals(deliveryId) && a.last()));
        return attempts.stream().filter(a -> a.deliveryId().equals(deliveryId)).toList();
    }

    private double count(String outcome) {
        return registry.get("traceflow.alerts.deliveries").tag("type", "webhook").tag("outcome", outcome).counter().count();
    }

    @Test
    void aWebhook_isASignedJsonPost_withTheDeliveryHeaders() throws Exception {
        sender();
        assertThat(sender.submit(webhook("dlv_1", receiver.url("/hooks/traceflow?team=web")))).isTrue();

        List<DeliveryAttempt> done = awaitLast("dlv_1");
        assertThat(done).singleElement().satisfies(a -> {
            assertThat(a.delivered()).isTrue();
            assertThat(a.attempt()).isEqualTo(1);
            assertThat(a.detail()).isEqualTo("HTTP 204");
        });
        Received r = receiver.received().getFirst();
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.path()).isEqualTo("/hooks/traceflow?team=web");
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(BODY);
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(r.header("User-Agent")).isEqualTo("TraceFlow-Alerts/1");
        assertThat(r.header("X-TraceFlow-Delivery")).isEqualTo("dlv_1");

        String signature = r.header("X-TraceFlow-Signature");
        long t = done.getFirst().at().getEpochSecond();
        assertThat(signature).isEqualTo("t=" + t + ",v1=" + independentHmac(SECRET, t + "." + BODY));
        assertThat(WebhookSignature.verify(SECRET, signature, r.body(), done.getFirst().at(), Duration.ofMinutes(5))).isTrue();
        assertThat(count("delivered")).isEqualTo(1.0);
    }

    /** The receiver's side, without WebhookSignature: what README tells people to compute. */
    private static String independentHmac(String secret, String signed) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aHostName_isResolvedByTheGuard_andTheRequestGoesToThatAddress_namedAsTheHost() {
        sender();
        sender.submit(webhook("dlv_name", "http://hooks.example.com:" + receiver.port() + "/in"));

        assertThat(awaitLast("dlv_name")).singleElement().satisfies(a -> assertThat(a.delivered()).isTrue());
        assertThat(receiver.received().getFirst().header("Host")).isEqualTo("hooks.example.com:" + receiver.port());
    }

    @Test
    void a500ThenA200_isTwoAttempts_deliveredOnTheSecond_eachSignedAnew() {
        receiver.then(Reply.status(500), Reply.status(200));
        sender();
        sender.submit(webhook("dlv_retry", receiver.url("/in")));

        List<DeliveryAttempt> done = awaitLast("dlv_retry");
        assertThat(done).extracting(DeliveryAttempt::attempt, DeliveryAttempt::delivered, DeliveryAttempt::last, DeliveryAttempt::detail)
                .containsExactly(
                        tuple(1, false, false, "HTTP 500"),
                        tuple(2, true, true, "HTTP 200"));
        List<Received> requests = receiver.received();
        assertThat(requests).hasSize(2).allSatisfy(r -> assertThat(r.header("X-TraceFlow-Delivery")).isEqualTo("dlv_retry"));
        for (int i = 0; i < 2; i++) {
            Received r = requests.get(i);
            assertThat(WebhookSignature.verify(SECRET, r.header("X-TraceFlow-Signature"), r.body(), done.get(i).at(), Duration.ZERO))
                    .as("attempt %d signed with its own time", i + 1).isTrue();
        }
        assertThat(requests.get(0).header("X-TraceFlow-Signature")).isNotEqualTo(requests.get(1).header("X-TraceFlow-Signature"));
        assertThat(count("retried")).isEqualTo(1.0);
        assertThat(count("delivered")).isEqualTo(1.0);
    }

    @Test
    void a429_isRetried_noSoonerThanItsRetryAfter() {
        settings.put("traceflow.alerts.delivery.max-delay", "10s");
        receiver.then(Reply.withHeader(429, "Retry-After", "1"), Reply.status(204));
        sender();
        sender.submit(webhook("dlv_limited", receiver.url("/in")));

        assertThat(awaitLast("dlv_limited")).extracting(DeliveryAttempt::detail).containsExactly("HTTP 429", "HTTP 204");
        List<Received> requests = receiver.received();
        assertThat(Duration.between(requests.get(0).at(), requests.get(1).at())).isGreaterThanOrEqualTo(Duration.ofMillis(990));
    }

    @Test
    void a410_isFinal_afterOneAttempt() {
        receiver.then(Reply.status(410));
        sender();
        sender.submit(webhook("dlv_gone", receiver.url("/in")));

        assertThat(awaitLast("dlv_gone")).singleElement().satisfies(a -> {
            assertThat(a.delivered()).isFalse();
            assertThat(a.last()).isTrue();
            assertThat(a.detail()).isEqualTo("HTTP 410");
        });
        assertThat(receiver.received()).hasSize(1);
        assertThat(count("failed")).isEqualTo(1.0);
        assertThat(count("retried")).isZero();
    }

    @Test
    void aTimeout_isRetried() {
        settings.put("traceflow.alerts.delivery.request-timeout", "300ms");
        receiver.then(Reply.hang(), Reply.status(204));
        sender();
        sender.submit(webhook("dlv_slow", receiver.url("/in")));

        List<DeliveryAttempt> done = awaitLast("dlv_slow");
        assertThat(done).extracting(DeliveryAttempt::detail).containsExactly("timeout after 300 ms", "HTTP 204");
        assertThat(done.getLast().delivered()).isTrue();
    }

    @Test
    void aRedirect_isNotFollowed_andFinal() {
        receiver.then(Reply.withHeader(302, "Location", receiver.url("/elsewhere")));
        sender();
        sender.submit(webhook("dlv_moved", receiver.url("/in")));

        assertThat(awaitLast("dlv_moved")).singleElement().satisfies(a -> {
            assertThat(a.delivered()).isFalse();
            assertThat(a.last()).isTrue();
            assertThat(a.detail()).isEqualTo("HTTP 302 (redirects are not followed)");
        });
        assertThat(receiver.received()).extracting(Received::path).containsExactly("/in");
    }

    @Test
    void aLoopbackUrl_isRefusedBeforeConnecting_withoutTheAllowList() {
        guard = new OutboundGuard(List.of(), host -> List.of(InetAddress.getLoopbackAddress()));
        sender();
        sender.submit(webhook("dlv_private", receiver.url("/in")));

        assertThat(awaitLast("dlv_private")).singleElement().satisfies(a -> {
            assertThat(a.delivered()).isFalse();
            assertThat(a.last()).isTrue();
            assertThat(a.detail()).isEqualTo("refused: loopback address");
        });
        assertThat(receiver.received()).isEmpty();
        assertThat(count("failed")).isEqualTo(1.0);
    }

    @Test
    void aClosedPort_isRetried_untilTheAttemptsRunOut() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        sender();
        sender.submit(webhook("dlv_down", "http://127.0.0.1:" + closed + "/in"));

        List<DeliveryAttempt> done = awaitLast("dlv_down");
        assertThat(done).extracting(DeliveryAttempt::attempt).containsExactly(1, 2, 3);
        assertThat(done).noneMatch(DeliveryAttempt::delivered);
        assertThat(done.getFirst().detail()).isEqualTo("could not connect");
        assertThat(done.getLast().detail()).isEqualTo("could not connect; given up after 3 attempts");
        assertThat(count("retried")).isEqualTo(2.0);
        assertThat(count("failed")).isEqualTo(1.0);
    }

    @Test
    void aFullQueue_refusesAtOnce_andCounts() {
        settings.put("traceflow.alerts.delivery.queue-capacity", "1");
        settings.put("traceflow.alerts.delivery.request-timeout", "30s");
        receiver.then(Reply.hang());
        sender();
        assertThat(sender.submit(webhook("dlv_first", receiver.url("/in")))).isTrue();

        assertThat(sender.submit(webhook("dlv_second", receiver.url("/in")))).isFalse();
        assertThat(count("queue_full")).isEqualTo(1.0);
        assertThat(registry.get("traceflow.alerts.delivery.queue").gauge().value()).isEqualTo(1.0);
        assertThat(attempts).noneMatch(a -> a.deliveryId().equals("dlv_second"));
    }

    @Test
    void aLongResponse_isCutOff_andTheDeliveryCounts() {
        receiver.then(Reply.withBody(200, new byte[4 * 1024 * 1024]));
        sender();
        sender.submit(webhook("dlv_chatty", receiver.url("/in")));

        assertThat(awaitLast("dlv_chatty")).singleElement().satisfies(a -> assertThat(a.detail()).isEqualTo("HTTP 200"));
    }

    @Test
    void stopping_recordsADeliveryWaitingForItsRetry_asGivenUp() {
        settings.put("traceflow.alerts.delivery.base-delay", "10m");
        settings.put("traceflow.alerts.delivery.max-delay", "10m");
        receiver.then(Reply.status(503));
        sender();
        sender.submit(webhook("dlv_pending", receiver.url("/in")));
        await().atMost(Duration.ofSeconds(15)).until(() -> !attempts.isEmpty());

        sender.stop();

        assertThat(attempts).extracting(DeliveryAttempt::attempt, DeliveryAttempt::last, DeliveryAttempt::detail)
                .containsExactly(
                        tuple(1, false, "HTTP 503"),
                        tuple(2, true, "not attempted: the server stopped"));
        assertThat(registry.get("traceflow.alerts.delivery.queue").gauge().value()).isZero();
        assertThat(sender.submit(webhook("dlv_late", receiver.url("/in")))).isFalse();
    }

    @Test
    void withoutARecorder_deliveriesAreStillMadeAndCounted() {
        recorder = null;
        sender();
        sender.submit(webhook("dlv_unrecorded", receiver.url("/in")));

        await().atMost(Duration.ofSeconds(15)).until(() -> count("delivered") == 1.0);
        assertThat(receiver.received()).hasSize(1);
    }

    @Test
    void aFailingRecorder_doesNotStopTheDelivery() {
        List<DeliveryAttempt> seen = new CopyOnWriteArrayList<>();
        recorder = a -> {
            seen.add(a);
            throw new IllegalStateException("database down");
        };
        receiver.then(Reply.status(500), Reply.status(200));
        sender();
        sender.submit(webhook("dlv_norecord", receiver.url("/in")));

        await().atMost(Duration.ofSeconds(15)).until(() -> seen.size() == 2);
        assertThat(seen.getLast().delivered()).isTrue();
    }

    @Test
    void aTarget_needsAnHttpUrlWithAHost_andASecret_andHidesBoth() {
        assertThatThrownBy(() -> new ChannelTarget.Webhook(URI.create("http://0x7f.1/"), SECRET)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ChannelTarget.Webhook(URI.create("ftp://hooks.example.com/"), SECRET))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ChannelTarget.Webhook(URI.create("https://hooks.example.com/"), "")).isInstanceOf(IllegalArgumentException.class);
        ChannelTarget.Webhook target = new ChannelTarget.Webhook(URI.create("https://hooks.example.com/T0/s3cr3t"), SECRET);
        assertThat(webhook("dlv_x", "https://hooks.example.com/T0/s3cr3t").toString())
                .contains("hooks.example.com").doesNotContain("s3cr3t").doesNotContain(SECRET);
        assertThat(target.toString()).doesNotContain(SECRET);
    }

    @Test
    void aMessage_refusesADeliveryIdThatCouldBreakAHeader_andOversizedBodies() {
        ChannelTarget target = new ChannelTarget.Webhook(URI.create("https://hooks.example.com/"), SECRET);
        assertThatThrownBy(() -> new AlertMessage("dlv\r\nX-Evil: 1", "ch", target, "s", "{}", "t"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AlertMessage("", "ch", target, "s", "{}", "t")).isInstanceOf(IllegalArgumentException.class);
        String huge = "x".repeat(AlertMessage.MAX_BODY_CHARS + 1);
        assertThatThrownBy(() -> new AlertMessage("dlv", "ch", target, "s", huge, "t")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AlertMessage("dlv", "ch", target, "s", "{}", huge)).isInstanceOf(IllegalArgumentException.class);
    }

    /** A clock one second further at every reading. */
    private static final class SteppingClock extends Clock {

        private final AtomicLong seconds;

        SteppingClock(Instant start) {
            this.seconds = new AtomicLong(start.getEpochSecond());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochSecond(seconds.getAndIncrement());
        }
    }
}
