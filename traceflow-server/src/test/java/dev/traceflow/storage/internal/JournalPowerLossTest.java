package dev.traceflow.storage.internal;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventType;
import dev.traceflow.storage.tests.InMemoryStorage;
import dev.traceflow.support.GatedStorage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's promise, "a crash right after the 202 loses none", for power loss, not only for a
 * killed process: the journal runs on a simulated disk ({@link PowerLossDisk}) that keeps only
 * what was forced, and may tear the last write. Seeded, so a failure names the seed that repeats it.
 */
class JournalPowerLossTest {

    private static final int SEEDS = 30;

    private static JournaledWriteQueue.Settings settings(long segmentBytes) {
        // small segments: the journal starts new files (and forces their folder entry) all the time
        return new JournaledWriteQueue.Settings(java.nio.file.Path.of("unused"), segmentBytes, 100_000, 1L << 40, 500,
                Duration.ZERO, Duration.ZERO);
    }

    private static JournaledWriteQueue queue(GatedStorage storage, PowerLossDisk disk, long segmentBytes) {
        JournaledWriteQueue q = new JournaledWriteQueue(storage, settings(segmentBytes), signal -> { }, new SimpleMeterRegistry(),
                Clock.systemUTC(), disk);
        q.start();
        return q;
    }

    private static List<Event> request(String tag, int events) {
        List<Event> list = new ArrayList<>(events);
        for (int i = 0; i < events; i++) {
            // no eventId: a request stored twice would show as two copies
            list.add(Event.builder("app", EventType.PAGEVIEW, 1_764_000_000_000L + i)
                    .sessionId("s-" + tag).properties(Map.of("seq", tag + "/" + i)).build());
        }
        return list;
    }

    @Test
    void anAcknowledgement_waitsUntilTheJournalWasForced() throws Exception {
        PowerLossDisk disk = new PowerLossDisk();
        GatedStorage storage = new GatedStorage(new InMemoryStorage());
        JournaledWriteQueue q = queue(storage, disk, 1 << 20);
        try {
            disk.forceGate = new CountDownLatch(1);
            CompletableFuture<Void> ack = q.submit("app", request("gated", 3));

            assertThat(disk.forceEntered.await(10, TimeUnit.SECONDS)).as("the journal forces before it answers").isTrue();
            Thread.sleep(100); // time for an acknowledgement that did not wait
            assertThat(ack).as("not acknowledged while the force has not returned").isNotDone();

            disk.forceGate.countDown();
            ack.get(10, TimeUnit.SECONDS);
        } finally {
            disk.forceGate.countDown();
            q.stop();
        }
    }

    @Test
    void powerLossAtRandomPoints_losesNothingAcknowledgedStoresNothingTwiceAndReplaysNoGarbage() throws Exception {
        int tornTails = 0;
        for (int seed = 0; seed < SEEDS; seed++) {
            tornTails += powerLoss(seed);
        }
        assertThat(tornTails).as("torn tails met across the seeds, so their handling was exercised").isPositive();
    }

    /** One run: load, pull the plug, power back, restart; returns how many files kept torn bytes. */
    private static int powerLoss(int seed) throws Exception {
        Random random = new Random(seed);
        PowerLossDisk disk = new PowerLossDisk();
        InMemoryStorage events = new InMemoryStorage();
        GatedStorage storage = new GatedStorage(events, 1 + random.nextInt(200));
        long segmentBytes = 256 + random.nextInt(8192);
        JournaledWriteQueue first = queue(storage, disk, segmentBytes);
        disk.pullThePlugAt(1 + random.nextInt(120));

        Set<String> submitted = ConcurrentHashMap.newKeySet();
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicBoolean sending = new AtomicBoolean(true);
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            long clientSeed = seed * 31L + c;
            int client = c;
            clients.add(Thread.ofPlatform().start(() -> {
                Random r = new Random(clientSeed);
                for (int n = 0; sending.get() && !disk.isDead(); n++) {
                    String tag = seed + "-" + client + "-" + n;
                    List<Event> request = request(tag, 1 + r.nextInt(20));
                    request.forEach(e -> submitted.add((String) e.properties().get("seq")));
                    try {
                        first.submit("app", request).get(10, TimeUnit.SECONDS);
                        request.forEach(e -> acknowledged.add((String) e.properties().get("seq")));
                    } catch (Exception refused) {
                        // the power went while this request waited: it was never acknowledged
                    }
                }
            }));
        }
        for (Thread t : clients) {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertThat(disk.isDead()).as("seed %d: the power went", seed).isTrue();
        storage.failures.set(Integer.MAX_VALUE); // the machine is off: nothing more is stored either
        sending.set(false);
        first.stop();

        int torn = disk.powerBack(random);
        storage.failures.set(0);
        JournaledWriteQueue second = queue(storage, disk, segmentBytes);
        assertThat(second.awaitStored(Duration.ofSeconds(20))).isTrue();
        second.stop();

        Map<String, Integer> stored = new HashMap<>();
        for (Event e : events.events()) {
            stored.merge((String) e.properties().get("seq"), 1, Integer::sum);
        }
        assertThat(stored.keySet()).as("seed %d: every acknowledged event is stored", seed).containsAll(acknowledged);
        assertThat(stored).as("seed %d: nothing stored twice", seed).allSatisfy((seq, copies) -> assertThat(copies).isOne());
        assertThat(submitted).as("seed %d: nothing stored that was not sent (no garbage replayed)", seed)
                .containsAll(stored.keySet());
        return torn;
    }
}
