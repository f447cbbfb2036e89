package dev.traceflow.realtime.internal.broker;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many publishers at once, on real threads: seq stays gapless and every subscriber sees each
 * event once, in order, also across a resume in the middle of the stream. Waits are for
 * conditions (with a generous bound), never for a time.
 */
class BrokerConcurrencyTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int PUBLISHERS = 8;
    private static final int EACH = 400;
    private static final int TOTAL = PUBLISHERS * EACH;

    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final ManualTime time = new ManualTime();
    private final Broker broker = new Broker(new BrokerSettings(4096, TOTAL * 2, TOTAL * 2, 1_000_000, 1_000_000, 5, 10, 100,
            TOTAL, Duration.ofHours(1), 64 << 20, Duration.ofSeconds(5), Duration.ofSeconds(20), 3, Duration.ofMinutes(2),
            TOTAL, 10, Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofSeconds(2)),
            time, time, time, executor, new SimpleMeterRegistry(), (app, topic) -> false);

    /** A subscriber's end: the seqs it received, in order, and a latch for the last one. */
    private static final class Collector implements ClientChannel {
        final List<Long> seqs = Collections.synchronizedList(new ArrayList<>());
        final List<String> others = Collections.synchronizedList(new ArrayList<>());
        volatile String epoch;
        volatile boolean recovered;
        final CountDownLatch done;
        final long lastExpected;

        Collector(long lastExpected) {
            this.lastExpected = lastExpected;
            this.done = new CountDownLatch(1);
        }

        @Override
        public void send(String json) {
            JsonNode m = JSON.readTree(json);
            switch (m.path("type").asString()) {
                case "event" -> {
                    seqs.add(m.path("seq").asLong());
                    if (m.path("seq").asLong() == lastExpected) {
                        done.countDown();
                    }
                }
                case "subscribed" -> {
                    epoch = m.path("epoch").asString();
                    recovered = m.path("recovered").asBoolean();
                }
                default -> others.add(json);
            }
        }

        @Override
        public void close(CloseReason reason) {
            others.add("closed " + reason);
        }
    }

    @BeforeEach
    void start() {
        broker.start();
    }

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    private Connection open(ClientChannel channel, int n) throws ConnectionRefused {
        return broker.open("shop", new FakeAuth(), null, "192.0.2." + n, channel);
    }

    /** Half the publishers go through connections (as clients do), half straight to the broker (as HTTP publishes do). */
    private List<Set<Long>> publishConcurrently(String topic) throws Exception {
        return publishConcurrently(topic, null);
    }

    /**
     * @param beforeLast when not null, each publisher waits for it before its last event: so many events
     *                   are certainly published after whatever the test does before opening it
     */
    private List<Set<Long>> publishConcurrently(String topic, CountDownLatch beforeLast) throws Exception {
        List<Set<Long>> acked = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < PUBLISHERS; p++) {
            Set<Long> mine = ConcurrentHashMap.newKeySet();
            acked.add(mine);
            int publisher = p;
            ClientChannel acks = new ClientChannel() {
                @Override
                public void send(String json) {
                    JsonNode m = JSON.readTree(json);
                    assertThat(m.path("type").asString()).as(json).isEqualTo("ack");
                    mine.add(m.path("seq").asLong());
                }

                @Override
                public void close(CloseReason reason) {
                    throw new AssertionError("a publisher was cut off: " + reason);
                }
            };
            Connection connection = open(acks, 100 + p);
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    for (int i = 0; i < EACH; i++) {
                        if (i == EACH - 1 && beforeLast != null && !beforeLast.await(60, TimeUnit.SECONDS)) {
                            throw new AssertionError("the gate before the last event was not opened");
                        }
                        String id = "p" + publisher + "-" + i;
                        if (publisher % 2 == 0) {
                            connection.receive("{\"type\":\"publish\",\"topic\":\"" + topic + "\",\"id\":\"" + id + "\",\"payload\":" + i + "}");
                        } else {
                            mine.add(broker.publish("shop", topic, String.valueOf(i), id).seq());
                        }
                    }
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }));
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        return acked;
    }

    @Test
    void concurrentPublishers_getGaplessSeqs_andEverySubscriberSeesEachEventOnceInOrder() throws Exception {
        List<Collector> subscribers = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            Collector c = new Collector(TOTAL);
            open(c, s).receive("{\"type\":\"subscribe\",\"topic\":\"orders:1\"}");
            subscribers.add(c);
        }

        List<Set<Long>> acked = publishConcurrently("orders:1");

        List<Long> all = LongStream.rangeClosed(1, TOTAL).boxed().toList();
        for (Collector c : subscribers) {
            assertThat(c.done.await(60, TimeUnit.SECONDS)).as("the last event arrived").isTrue();
            assertThat(c.seqs).isEqualTo(all);
            assertThat(c.others).isEmpty();
        }
        // the publishers' acks: together every seq once (the connections' acks come from their writers)
        for (int p = 0; p < PUBLISHERS; p++) {
            int publisher = p;
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> acked.get(publisher).size() == EACH);
        }
        TreeSet<Long> union = new TreeSet<>();
        acked.forEach(union::addAll);
        assertThat(union).hasSize(TOTAL).first().isEqualTo(1L);
        assertThat(union.last()).isEqualTo(TOTAL);
        assertThat(broker.existingTopic("shop", "orders:1").lastSeq()).isEqualTo(TOTAL);
    }

    /**
     * The client goes away when it has a third of the stream and resumes on a new connection while
     * the publishers go on. Each publisher holds its last event back until the resume was sent, so
     * events certainly follow the resume, however fast the first two thirds went by.
     * <p>
     * This test was off as "flaky under load" (2026-12-04). The broker lost nothing: the resumed client
     * waited for the event with the last seq, but on a fast run the first client had all 3,200 events
     * before the killer's first poll (every failure of 40 runs in a loop: cut at 3,200, resume
     * {@code recovered:true} at seq 3,200, nothing left to replay or to come), so that event never came
     * a second time. The gate above makes "after the resume, more is published" true by construction.
     * {@link ResumeSeamTest} holds the broker's own seam (a publish racing a resume) deterministically.
     */
    @Test
    void aResumeInTheMiddleOfConcurrentPublishing_continuesExactlyWhereTheClientStopped() throws Exception {
        AtomicReference<Throwable> killerFailed = new AtomicReference<>();
        Collector first = new Collector(TOTAL);
        Connection firstConnection = open(first, 1);
        firstConnection.receive("{\"type\":\"subscribe\",\"topic\":\"orders:1\"}");
        Collector second = new Collector(TOTAL);
        AtomicReference<List<Long>> seenBeforeTheCut = new AtomicReference<>();
        CountDownLatch resumeSent = new CountDownLatch(1);
        Thread killer = Thread.ofPlatform().uncaughtExceptionHandler((t, e) -> killerFailed.set(e)).start(() -> {
            try {
                // the first client goes away somewhere in the stream, and comes back from the last seq it has
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(1))
                        .until(() -> first.seqs.size() >= TOTAL / 3);
                firstConnection.close();
                List<Long> had;
                synchronized (first.seqs) {
                    had = List.copyOf(first.seqs);
                }
                seenBeforeTheCut.set(had); // what the client had when it went away (a writer mid-send may still land one more)
                open(second, 2).receive("{\"type\":\"subscribe\",\"topic\":\"orders:1\",\"lastSeq\":" + had.getLast()
                        + ",\"epoch\":\"" + first.epoch + "\"}");
            } catch (ConnectionRefused e) {
                throw new AssertionError(e);
            } finally {
                resumeSent.countDown(); // also when it failed: the publishers must not wait for nothing
            }
        });

        publishConcurrently("orders:1", resumeSent);
        killer.join();

        assertThat(killerFailed.get()).as("the resuming client's own steps").isNull();
        List<Long> before = seenBeforeTheCut.get();
        long cut = before.getLast();
        assertThat(cut).as("the cut came before the publishers' last events").isLessThanOrEqualTo(TOTAL - PUBLISHERS);
        assertThat(second.done.await(60, TimeUnit.SECONDS)).as("the last event arrived after the resume; it has "
                + second.seqs.size() + " events, others: " + second.others + ", cut at " + cut).isTrue();
        assertThat(before).isEqualTo(LongStream.rangeClosed(1, cut).boxed().toList());
        List<Long> after;
        synchronized (second.seqs) {
            after = List.copyOf(second.seqs);
        }
        assertThat(after).as("the resumed stream starts right after the cut: nothing lost, nothing twice")
                .isEqualTo(LongStream.rangeClosed(cut + 1, TOTAL).boxed().toList());
        assertThat(second.others).as("no error, no close").isEmpty();
        assertThat(second.recovered).as("the resume was recovered").isTrue();
    }
}
