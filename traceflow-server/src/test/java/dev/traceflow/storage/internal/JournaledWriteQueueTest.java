package dev.traceflow.storage.internal;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.core.storage.StorageException;
import dev.traceflow.storage.EventWriteQueue;
import dev.traceflow.storage.EventsStored;
import dev.traceflow.storage.duckdb.DuckDbStorage;
import dev.traceflow.storage.tests.InMemoryStorage;
import dev.traceflow.support.GatedStorage;
import dev.traceflow.support.Requirements;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
class JournaledWriteQueueTest {

    /** A byte bound no test reaches, for the tests of everything else. */
    private static final long NO_BYTE_BOUND = 1L << 40;

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();
    private final Map<String, AtomicInteger> told = new ConcurrentHashMap<>();
    private final List<EventsStored> signals = new CopyOnWriteArrayList<>();
    private final Consumer<EventsStored> listener = signal -> {
        signals.add(signal);
        for (EventsStored.AppEvents app : signal.apps()) {
            told.computeIfAbsent(app.appId() + ":stored", k -> new AtomicInteger()).addAndGet((int) app.stored());
            told.computeIfAbsent(app.appId() + ":duplicate", k -> new AtomicInteger()).addAndGet((int) app.duplicates());
        }
    };

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    private DuckDbStorage duck() {
        DuckDbStorage storage = new DuckDbStorage(dir.resolve("events.duckdb"), 1, "256MB", 10_000);
        open.add(storage);
        return storage;
    }

    private JournaledWriteQueue queue(EventStorage storage, int capacity, Duration linger, SimpleMeterRegistry registry) {
        return queue(storage, capacity, NO_BYTE_BOUND, linger, registry);
    }

    private JournaledWriteQueue queue(EventStorage storage, int capacity, long capacityBytes, Duration linger,
                                      SimpleMeterRegistry registry) {
        var settings = new JournaledWriteQueue.Settings(dir.resolve("journal"), 1 << 20, capacity, capacityBytes, 50_000, linger, linger);
        return started(storage, settings, registry);
    }

    private JournaledWriteQueue started(EventStorage storage, JournaledWriteQueue.Settings settings, SimpleMeterRegistry registry) {
        JournaledWriteQueue q = new JournaledWriteQueue(storage, settings, listener, registry, Clock.systemUTC());
        q.start();
        open.add(q::stop);
        return q;
    }

    private static InMemoryStorage memory() {
        return new InMemoryStorage();
    }

    private static List<Event> events(int n, String idPrefix) {
        List<Event> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(Event.builder("app", EventType.PAGEVIEW, System.currentTimeMillis())
                    .eventId(idPrefix == null ? null : idPrefix + i).build());
        }
        return list;
    }

    /** Few events, but large ones: {@code n} custom events of {@code kib} KiB of properties each. */
    private static List<Event> largeEvents(int n, int kib, String idPrefix) {
        String text = "x".repeat(kib * 1024);
        List<Event> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(Event.builder("app", EventType.EVENT, System.currentTimeMillis()).eventId(idPrefix + i)
                    .details(new EventDetails.CustomEventDetails("upload")).properties(Map.of("text", text)).build());
        }
        return list;
    }

    private static long count(EventStorage storage) {
        return storage.counts().count("app", Instant.now().minusSeconds(60), Instant.now().plusSeconds(60));
    }

    @Test
    void submit_completesOnceJournaledAndTheLoaderStoresAndReportsDuplicates() throws Exception {
        DuckDbStorage storage = duck();
        JournaledWriteQueue q = queue(storage, 10_000, Duration.ofMillis(50), new SimpleMeterRegistry());

        q.submit("app", events(3, "a")).get(5, TimeUnit.SECONDS);
        q.submit("app", events(2, "a")).get(5, TimeUnit.SECONDS); // a0, a1 again

        assertThat(q.awaitStored(Duration.ofSeconds(10))).isTrue();
        assertThat(count(storage)).isEqualTo(3);
        assertThat(told.get("app:stored").get()).isEqualTo(3);
        assertThat(told.get("app:duplicate").get()).isEqualTo(2);
        assertThat(q.queuedEvents()).isZero();
    }

    @Test
    void loader_storesManyRequestsInOneTransaction() throws Exception {
        DuckDbStorage storage = duck();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // a linger no submission outlasts, however slow the machine: awaitStored ends it
        JournaledWriteQueue q = queue(storage, 100_000, Duration.ofSeconds(60), registry);

        List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            acks.add(q.submit("app", events(10, "r" + i + "-")));
        }
        for (var ack : acks) {
            ack.get(5, TimeUnit.SECONDS);
        }
        assertThat(q.awaitStored(Duration.ofSeconds(10))).isTrue();

        assertThat(count(storage)).isEqualTo(400);
        long transactions = registry.get("traceflow.storage.commit.events").summary().count();
        assertThat(transactions).as("40 requests, gathered").isLessThan(10);
        assertThat(registry.get("traceflow.storage.journal.append").timer().count()).isPositive();
    }

    @Test
    void submit_refusesAtOnceWhenFullAndTakesAgainOnceStored() throws Exception {
        GatedStorage storage = new GatedStorage(duck());
        storage.closeGate();
        JournaledWriteQueue q = queue(storage, 100, Duration.ZERO, new SimpleMeterRegistry());

        q.submit("app", events(60, "a")).get(5, TimeUnit.SECONDS);
        assertThat(storage.entered.await(5, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> q.submit("app", events(60, "b"))).isInstanceOf(EventWriteQueue.QueueFullException.class);

        storage.openGate();
        assertThat(q.awaitStored(Duration.ofSeconds(10))).isTrue();
        q.submit("app", events(60, "c")).get(5, TimeUnit.SECONDS);
        assertThat(q.awaitStored(Duration.ofSeconds(10))).isTrue();
        assertThat(count(storage)).isEqualTo(120);
    }

    @Test
    void submit_refusesFewLargeEventsOnceTheirBytesFillTheQueue() throws Exception {
        GatedStorage storage = new GatedStorage(duck());
        storage.closeGate();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // room for 10,000 events, but for only about six of 30 KiB
        JournaledWriteQueue q = queue(storage, 10_000, 200 * 1024, Duration.ZERO, registry);

        q.submit("app", largeEvents(4, 30, "a")).get(5, TimeUnit.SECONDS);
        assertThat(storage.entered.await(5, TimeUnit.SECONDS)).isTrue();
        double held = registry.get("traceflow.storage.queue.bytes").gauge().value();
        assertThat(held).as("four events of 30 KiB").isGreaterThan(4 * 30 * 1024);

        assertThatThrownBy(() -> q.submit("app", largeEvents(4, 30, "b")))
                .isInstanceOf(EventWriteQueue.QueueFullException.class).hasMessageContaining("bytes");
        assertThat(q.queuedEvents()).as("nothing of the refused request is held").isEqualTo(4);
        assertThat(registry.get("traceflow.storage.queue.bytes").gauge().value()).isEqualTo(held);
        assertThat(registry.get("traceflow.storage.queue.refused").tag("bound", "bytes").counter().count()).isEqualTo(1);
        assertThat(registry.get("traceflow.storage.queue.refused").tag("bound", "events").counter().count()).isZero();

        storage.openGate();
        assertThat(q.awaitStored(Duration.ofSeconds(10))).isTrue();
        assertThat(registry.get("traceflow.storage.queue.bytes").gauge().value()).as("given back once stored").isZero();
        q.submit("app", largeEvents(4, 30, "c")).get(5, TimeUnit.SECONDS);
        assertThat(q.awaitStored(Duration.ofSeconds(10))).isTrue();
        assertThat(count(storage)).as("the first and the last request, nothing of the refused one").isEqualTo(8);
    }

    @Test
    void submit_largerThanTheWholeByteBoundIsTakenWhenTheQueueIsEmpty() throws Exception {
        DuckDbStorage storage = duck();
        JournaledWriteQueue q = queue(storage, 10_000, 1024, Duration.ZERO, new SimpleMeterRegistry());

        q.submit("app", largeEvents(2, 8, "a")).get(5, TimeUnit.SECONDS);

        assertThat(q.awaitStored(Duration.ofSeconds(10))).isTrue();
        assertThat(count(storage)).isEqualTo(2);
    }

    @Test
    void awaitRoom_waitsWhileMoreThanHalfTheBytesAreHeld() throws Exception {
        GatedStorage storage = new GatedStorage(duck());
        storage.closeGate();
        JournaledWriteQueue q = queue(storage, 10_000, 100 * 1024, Duration.ZERO, new SimpleMeterRegistry());
        q.submit("app", largeEvents(2, 30, "a")).get(5, TimeUnit.SECONDS);

        assertThat(q.awaitRoom(Duration.ofMillis(100))).as("60 KiB of 100 held, in 2 of 10,000 events").isFalse();

        storage.openGate();
        assertThat(q.awaitRoom(Duration.ofSeconds(10))).isTrue();
    }

    @Test
    void awaitRoom_waitsWhileMoreThanHalfFull() throws Exception {
        GatedStorage storage = new GatedStorage(duck());
        storage.closeGate();
        JournaledWriteQueue q = queue(storage, 100, Duration.ZERO, new SimpleMeterRegistry());
        assertThat(q.awaitRoom(Duration.ZERO)).isTrue();
        q.submit("app", events(60, "a")).get(5, TimeUnit.SECONDS);

        assertThat(q.awaitRoom(Duration.ofMillis(100))).isFalse();

        var admitted = CompletableFuture.supplyAsync(() -> {
            try {
                return q.awaitRoom(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        storage.openGate();
        assertThat(admitted.get(10, TimeUnit.SECONDS)).isTrue();
    }

    private JournaledWriteQueue batchingQueue(EventStorage storage, int batchEvents, Duration maxDelay, SimpleMeterRegistry registry) {
        var settings = new JournaledWriteQueue.Settings(dir.resolve("journal"), 1 << 20, 100_000, NO_BYTE_BOUND, 50_000, Duration.ZERO, maxDelay);
        return started(new GatedStorage(storage, batchEvents), settings, registry);
    }

    @Test
    void loader_waitsForAFullBatchWhileEventsArriveFastEnoughToFillOne() throws Exception {
        DuckDbStorage storage = duck();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // 500-event batches within 60 s need about 8 events/s; this stream sends ~1,500/s (a busy
        // machine's fraction of that is still plenty)
        JournaledWriteQueue q = batchingQueue(storage, 500, Duration.ofSeconds(60), registry);

        // the rate is measured over a second first, so stream for about two
        for (int i = 0; i < 80; i++) {
            q.submit("app", events(30, null)).get(5, TimeUnit.SECONDS);
            Thread.sleep(20);
        }
        // a reader does not wait for the last batch to fill: it makes the loader load at once,
        // where the loader alone would wait up to its 60 s
        assertThat(q.awaitStored(Duration.ofSeconds(20))).isTrue();
        assertThat(count(storage)).isEqualTo(2400);
        // 30-event requests 20 ms apart only add up to 500 when the loader waits for them
        assertThat(registry.get("traceflow.storage.commit.events").summary().max()).isGreaterThanOrEqualTo(500);
    }

    @Test
    void loader_loadsAtOnceWhileEventsArriveTooSlowlyToFillABatch() throws Exception {
        DuckDbStorage storage = duck();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // 10,000-event batches within 60 s need about 170 events/s; this stream sends at most ~30/s
        JournaledWriteQueue q = batchingQueue(storage, 10_000, Duration.ofSeconds(60), registry);

        for (int i = 1; i <= 4; i++) {
            q.submit("app", events(10, null)).get(5, TimeUnit.SECONDS);
            long expected = i * 10L;
            // stored without a reader asking, long before the 60 s batch wait would end
            await().atMost(Duration.ofSeconds(20)).until(() -> count(storage), n -> n == expected);
            Thread.sleep(300); // the pace of a slow stream
        }
        assertThat(registry.get("traceflow.storage.commit.events").summary().count()).isEqualTo(4);
    }

    @Test
    void settings_refuseAnEmptyQueue() {
        assertThatThrownBy(() -> new JournaledWriteQueue.Settings(dir, 1 << 20, 0, NO_BYTE_BOUND, 100, Duration.ZERO, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1 event");
        assertThatThrownBy(() -> new JournaledWriteQueue.Settings(dir, 1 << 20, 100, 0, 100, Duration.ZERO, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1 byte");
    }

    @Test
    void submit_largerThanTheWholeQueueIsTakenWhenTheQueueIsEmpty() throws Exception {
        DuckDbStorage storage = duck();
        JournaledWriteQueue q = queue(storage, 10, Duration.ZERO, new SimpleMeterRegistry());

        q.submit("app", events(50, null)).get(5, TimeUnit.SECONDS);

        assertThat(q.awaitStored(Duration.ofSeconds(10))).isTrue();
        assertThat(count(storage)).isEqualTo(50);
    }

    @Test
    void storeFailure_isRetriedUntilItWorksAndNothingIsLostOrDoubled() throws Exception {
        GatedStorage storage = new GatedStorage(duck());
        storage.failures.set(3);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        JournaledWriteQueue q = queue(storage, 1000, Duration.ZERO, registry);

        q.submit("app", events(7, "x")).get(5, TimeUnit.SECONDS);

        assertThat(q.awaitStored(Duration.ofSeconds(20))).isTrue();
        assertThat(count(storage)).isEqualTo(7);
        assertThat(q.loadError()).isNull();
        assertThat(registry.get("traceflow.storage.load.failures").counter().count()).isEqualTo(3);
    }

    @Test
    void restart_loadsWhatWasAcknowledgedButNotStored_once() throws Exception {
        GatedStorage failing = new GatedStorage(duck());
        failing.failures.set(Integer.MAX_VALUE);
        JournaledWriteQueue first = queue(failing, 1000, Duration.ZERO, new SimpleMeterRegistry());
        first.submit("app", events(5, "p")).get(5, TimeUnit.SECONDS);
        first.submit("app", events(4, null)).get(5, TimeUnit.SECONDS);
        first.stop(); // the store still fails: the events stay in the journal
        assertThat(count(failing)).isZero();

        JournaledWriteQueue second = queue(failing.delegate, 1000, Duration.ZERO, new SimpleMeterRegistry());
        assertThat(count(failing.delegate)).as("loaded during start").isEqualTo(9);
        // listeners are told on the publisher's own thread: the start does not wait for them
        assertThat(second.awaitStored(Duration.ofSeconds(10))).isTrue();
        assertThat(told.get("app:stored").get()).isEqualTo(9);
        second.submit("app", events(1, "later")).get(5, TimeUnit.SECONDS);
        second.stop();

        queue(failing.delegate, 1000, Duration.ZERO, new SimpleMeterRegistry());
        assertThat(count(failing.delegate)).as("nothing loaded twice").isEqualTo(10);
    }

    /** Batches of {@code batch} events: the storage's hint, as DuckDB's row group is. */
    @Test
    void journalWrittenInFrontOfOneBackend_isStoredIntoAnotherAfterTheSwitch() throws Exception {
        GatedStorage failingDuck = new GatedStorage(duck());
        failingDuck.failures.set(Integer.MAX_VALUE);
        JournaledWriteQueue first = queue(failingDuck, 1000, Duration.ZERO, new SimpleMeterRegistry());
        List<Event> sent = JournalFixtureEvents.all();
        first.submit("demo", sent.subList(0, 5)).get(5, TimeUnit.SECONDS);
        first.submit("demo", sent.subList(5, sent.size())).get(5, TimeUnit.SECONDS);
        first.stop(); // DuckDB never stored them: they wait in the journal

        InMemoryStorage memory = memory(); // traceflow.storage.type changed
        queue(memory, 1000, Duration.ZERO, new SimpleMeterRegistry());

        assertThat(memory.events().stream().map(JournalFixtureEvents::describe).toList())
                .containsExactlyElementsOf(sent.stream().map(JournalFixtureEvents::describe).toList());
        assertThat(count(failingDuck.delegate)).isZero();
    }

    private JournaledWriteQueue rowGroupQueue(EventStorage storage, int batch) {
        var settings = new JournaledWriteQueue.Settings(dir.resolve("journal"), 1 << 20, 10_000, NO_BYTE_BOUND, 5_000, Duration.ZERO, Duration.ZERO);
        return started(storage instanceof GatedStorage ? storage : new GatedStorage(storage, batch), settings, new SimpleMeterRegistry());
    }

    /** One request loaded alone, then 7 requests of 30 waiting: a row group of 100 is the unit. */
    private static void sevenRequestsBehindOne(GatedStorage storage, JournaledWriteQueue q) throws Exception {
        storage.closeGate();
        q.submit("app", events(30, null)).get(5, TimeUnit.SECONDS);
        assertThat(storage.entered.await(5, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 7; i++) {
            q.submit("app", events(30, null)).get(5, TimeUnit.SECONDS);
        }
        storage.openGate();
    }

    @Test
    void loader_endsABacklogTransactionOnWholeRowGroupsAndSplitsARequestToDoIt() throws Exception {
        GatedStorage storage = new GatedStorage(duck(), 100);
        JournaledWriteQueue q = rowGroupQueue(storage, 100);

        sevenRequestsBehindOne(storage, q);

        assertThat(q.awaitStored(Duration.ofSeconds(10))).isTrue();
        assertThat(storage.commitSizes).as("the lone request, two row groups, the split request's rest")
                .containsExactly(30, 200, 10);
        assertThat(count(storage)).isEqualTo(240);
        assertThat(told.get("app:stored").get()).isEqualTo(240);
        assertThat(q.queuedEvents()).isZero();
        assertThat(q.queuedBytes()).as("the split request's bytes given back once, with its last piece").isZero();
    }

    @Test
    void restart_afterATransactionEndedInsideARequest_loadsOnlyTheRestOfIt(
            org.springframework.boot.test.system.CapturedOutput output) throws Exception {
        GatedStorage storage = new GatedStorage(duck(), 100);
        // the store fails from the transaction after the two row groups on: the split request's
        // last 10 events stay in the journal (they have no eventId, so storing twice would show)
        storage.failAfterCommits = 2;
        JournaledWriteQueue first = rowGroupQueue(storage, 100);
        sevenRequestsBehindOne(storage, first);
        await().atMost(Duration.ofSeconds(30)).until(() -> storage.commitSizes.size() >= 2);
        first.stop();
        assertThat(storage.commitSizes).containsExactly(30, 200);
        assertThat(count(storage)).isEqualTo(230);

        JournaledWriteQueue second = rowGroupQueue(storage.delegate, 100);
        assertThat(second.awaitStored(Duration.ofSeconds(10))).isTrue();
        assertThat(count(storage.delegate)).as("each event once").isEqualTo(240);
        assertThat(told.get("app:stored").get()).isEqualTo(240);
        assertThat(second.queuedEvents()).isZero();
        assertThat(second.queuedBytes()).as("what the replay held is given back").isZero();
        // the operator sees why the restart loads part of a request
        assertThat(output.getAll())
                .contains("The first 20 of 30 events of the oldest request waiting were stored before the stop")
                .contains("Loading 10 events of 1 requests acknowledged before the last stop");
    }

    @Test
    void loader_warnsAboutATransactionSlowerThanASecond(org.springframework.boot.test.system.CapturedOutput output) throws Exception {
        GatedStorage storage = new GatedStorage(duck());
        JournaledWriteQueue q = queue(storage, 1000, Duration.ofMillis(1), new SimpleMeterRegistry());
        storage.closeGate();
        var pending = q.submit("app", events(30, null));
        assertThat(storage.entered.await(5, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(1100);
        storage.openGate();
        pending.get(5, TimeUnit.SECONDS);
        assertThat(q.awaitStored(Duration.ofSeconds(5))).isTrue();
        assertThat(output.getAll()).containsPattern("storing 30 events in gated took \\d{4,} ms");
    }

    @Test
    void restart_loadsTheBacklogInWholeRowGroupsToo() throws Exception {
        GatedStorage failing = new GatedStorage(duck(), 100);
        failing.failures.set(Integer.MAX_VALUE);
        JournaledWriteQueue first = rowGroupQueue(failing, 100);
        for (int i = 0; i < 7; i++) {
            first.submit("app", events(30, null)).get(5, TimeUnit.SECONDS);
        }
        first.stop(); // the store still fails: all 210 events stay in the journal

        GatedStorage recovered = new GatedStorage(failing.delegate, 100);
        rowGroupQueue(recovered, 100);

        assertThat(recovered.commitSizes).as("loaded during start").containsExactly(200, 10);
        assertThat(count(recovered)).isEqualTo(210);
    }

    @Test
    void deleteApp_runsAfterTheEventsAcknowledgedBeforeIt() throws Exception {
        DuckDbStorage storage = duck();
        JournaledWriteQueue q = queue(storage, 10_000, Duration.ofSeconds(5), new SimpleMeterRegistry());
        q.submit("app", events(5, null)).get(5, TimeUnit.SECONDS);
        q.submit("other", List.of(Event.builder("other", EventType.PAGEVIEW, System.currentTimeMillis()).build()))
                .get(5, TimeUnit.SECONDS);

        long deleted = q.deleteApp("app").get(10, TimeUnit.SECONDS);

        assertThat(deleted).isEqualTo(5);
        assertThat(count(storage)).isZero();
        assertThat(storage.counts().count("other", Instant.now().minusSeconds(60), Instant.now().plusSeconds(60))).isEqualTo(1);
    }

    @Test
    void deleteOlderThan_runsAfterTheEventsAcknowledgedBeforeIt() throws Exception {
        InMemoryStorage storage = memory();
        JournaledWriteQueue q = queue(storage, 10_000, Duration.ofSeconds(5), new SimpleMeterRegistry());
        long now = System.currentTimeMillis();
        q.submit("app", List.of(Event.builder("app", EventType.PAGEVIEW, now - 86_400_000L * 100).build(),
                Event.builder("app", EventType.PAGEVIEW, now).build())).get(5, TimeUnit.SECONDS);

        long deleted = q.deleteOlderThan("app", Instant.ofEpochMilli(now - 86_400_000L * 90)).get(10, TimeUnit.SECONDS);

        assertThat(deleted).isEqualTo(1);
        assertThat(storage.events()).hasSize(1);
    }

    @Test
    void eventsStored_tellsWhatEachLoadMadeQueryable() throws Exception {
        // a batch size the requests never fill and a linger no submission outlasts: the loader
        // lingers until awaitStored asks, so all is one load
        GatedStorage storage = new GatedStorage(memory(), 10_000);
        JournaledWriteQueue q = queue(storage, 10_000, Duration.ofSeconds(60), new SimpleMeterRegistry());
        long t = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();
        List<Event> batch = new ArrayList<>();
        batch.add(error("app", t + 2000, "fp-a", "1.0.0", "e1"));
        batch.add(error("app", t, "fp-a", "1.0.0", "e2"));
        batch.add(error("app", t + 500, "fp-b", "1.1.0", "e3"));
        batch.add(error("app", t + 900, "fp-b", "1.1.0", "e3")); // a duplicate: not counted in its group
        batch.add(Event.builder("app", EventType.PAGEVIEW, t).release("1.1.0").build());
        q.submit("app", batch).get(5, TimeUnit.SECONDS);
        q.submit("shop", List.of(Event.builder("shop", EventType.CLICK, t).details(
                new EventDetails.ClickDetails(1, 2, 3, 4, null)).build())).get(5, TimeUnit.SECONDS);
        // no duplicates: summed on the request thread, not event by event in the loader
        q.submit("web", List.of(error("web", t + 300, "fp-w", "3.0", null), error("web", t + 100, "fp-w", "3.0", null),
                error("web", t + 200, "fp-v", null, null))).get(5, TimeUnit.SECONDS);
        q.submit("web", List.of(error("web", t + 50, "fp-w", "3.1", null))).get(5, TimeUnit.SECONDS);

        assertThat(q.awaitStored(Duration.ofSeconds(10))).as("stored, and the signal delivered").isTrue();

        Map<String, EventsStored.AppEvents> byApp = new HashMap<>();
        assertThat(signals).as("one load: the linger is 60 s and awaitStored asked for it").hasSize(1);
        for (EventsStored.AppEvents a : signals.getFirst().apps()) {
            byApp.put(a.appId(), a);
        }
        EventsStored.AppEvents web = byApp.get("web");
        assertThat(web.countsByType()).isEqualTo(Map.of(EventType.ERROR, 4L));
        assertThat(web.duplicates()).isZero();
        assertThat(web.releases()).containsExactlyInAnyOrder("3.0", "3.1");
        assertThat(web.errorGroups()).containsExactlyInAnyOrder(
                new EventsStored.ErrorGroupSeen("fp-w", Instant.ofEpochMilli(t + 50), Instant.ofEpochMilli(t + 300), 3, "Error", "boom"),
                new EventsStored.ErrorGroupSeen("fp-v", Instant.ofEpochMilli(t + 200), Instant.ofEpochMilli(t + 200), 1, "Error", "boom"));
        EventsStored.AppEvents app = byApp.get("app");
        assertThat(app.countsByType()).isEqualTo(Map.of(EventType.ERROR, 3L, EventType.PAGEVIEW, 1L));
        assertThat(app.duplicates()).isEqualTo(1);
        assertThat(app.releases()).containsExactlyInAnyOrder("1.0.0", "1.1.0");
        assertThat(app.errorGroups()).containsExactly(
                new EventsStored.ErrorGroupSeen("fp-a", Instant.ofEpochMilli(t), Instant.ofEpochMilli(t + 2000), 2, "Error", "boom"),
                new EventsStored.ErrorGroupSeen("fp-b", Instant.ofEpochMilli(t + 500), Instant.ofEpochMilli(t + 500), 1, "Error", "boom"));
        assertThat(byApp.get("shop").countsByType()).isEqualTo(Map.of(EventType.CLICK, 1L));
        assertThat(byApp.get("shop").errorGroups()).isEmpty();
    }

    @Test
    void eventsStored_aSlowListenerDoesNotHoldUpTheLoader() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        InMemoryStorage storage = memory();
        var settings = new JournaledWriteQueue.Settings(dir.resolve("journal"), 1 << 20, 10_000, NO_BYTE_BOUND, 50_000, Duration.ZERO, Duration.ZERO);
        JournaledWriteQueue q = new JournaledWriteQueue(storage, settings, signal -> {
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, new SimpleMeterRegistry(), Clock.systemUTC());
        q.start();
        open.add(q::stop);

        for (int i = 0; i < 5; i++) {
            q.submit("app", events(3, "slow" + i + "-")).get(5, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(storage.events()).as("stored while the listener is stuck").hasSize(15));
        assertThat(q.queuedEvents()).isZero();
        assertThat(q.awaitStored(Duration.ofMillis(50))).as("not yet announced").isFalse();
        release.countDown();
        assertThat(q.awaitStored(Duration.ofSeconds(10))).isTrue();
    }

    private static Event error(String app, long at, String fingerprint, String release, String id) {
        Event e = Event.builder(app, EventType.ERROR, at).eventId(id).release(release)
                .details(new EventDetails.ErrorDetails("boom", null, "Error", null, null, null, null)).build();
        e.fingerprint(fingerprint);
        return e;
    }

    @Test
    void stop_storesEverythingAcceptedThenRefusesNewWork() throws Exception {
        DuckDbStorage storage = duck();
        JournaledWriteQueue q = queue(storage, 10_000, Duration.ofSeconds(30), new SimpleMeterRegistry());
        q.submit("app", events(25, null)).get(5, TimeUnit.SECONDS);

        q.stop();

        assertThat(count(storage)).isEqualTo(25);
        assertThatThrownBy(() -> q.submit("app", events(1, null))).isInstanceOf(EventWriteQueue.QueueFullException.class);
        try (var files = Files.list(dir.resolve("journal"))) {
            assertThat(files.filter(p -> p.toString().endsWith(".journal") && p.toFile().length() > 0).count())
                    .as("loaded segments retired").isLessThanOrEqualTo(1);
        }
    }

    @Test
    void loadedSegments_areKeptAsSparesOrDeleted() throws Exception {
        DuckDbStorage storage = duck();
        var settings = new JournaledWriteQueue.Settings(dir.resolve("journal"), 4096, 100_000, NO_BYTE_BOUND, 50_000, Duration.ZERO, Duration.ZERO);
        JournaledWriteQueue q = started(storage, settings, new SimpleMeterRegistry());
        for (int i = 0; i < 30; i++) {
            q.submit("app", events(20, "s" + i + "-")).get(5, TimeUnit.SECONDS);
        }
        assertThat(q.awaitStored(Duration.ofSeconds(10))).isTrue();
        q.submit("app", events(1, null)).get(5, TimeUnit.SECONDS); // rolls and deletes behind the loader
        assertThat(q.awaitStored(Duration.ofSeconds(10))).isTrue();

        List<String> names;
        try (var files = Files.list(dir.resolve("journal"))) {
            names = files.map(p -> p.getFileName().toString()).toList();
        }
        assertThat(names).filteredOn(n -> n.endsWith(".journal")).hasSizeLessThanOrEqualTo(2);
        assertThat(names).as("loaded segments kept for reuse").filteredOn(n -> n.endsWith(".journal.spare"))
                .hasSizeLessThanOrEqualTo(IngestJournal.SPARES);
        assertThat(names).hasSizeLessThanOrEqualTo(2 + IngestJournal.SPARES);
        assertThat(count(storage)).isEqualTo(601);
    }

    @Test
    void journalWriteFailure_failsThoseRequestsStoresNothingOfThemAndRecoversWithTheDisk() throws Exception {
        // A disk that fills up: the journal's next segment is /dev/full, where every write fails
        // with ENOSPC. Segments roll after every append (1 byte), and two appends of the same
        // events are the same size, so the segment the third append goes to starts at 2 x the first.
        Requirements.require(Files.isWritable(Path.of("/dev/full")), "/dev/full (a disk that is always full)");
        DuckDbStorage storage = duck();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Path journalDir = dir.resolve("journal");
        var settings = new JournaledWriteQueue.Settings(journalDir, 1, 10_000, NO_BYTE_BOUND, 50_000, Duration.ZERO, Duration.ZERO);
        JournaledWriteQueue q = started(storage, settings, registry);
        List<Event> batch = events(10, null);

        q.submit("app", batch).get(5, TimeUnit.SECONDS);
        long firstEnd;
        try (var files = Files.list(journalDir)) {
            firstEnd = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".journal"))
                    .mapToLong(n -> Long.parseLong(n.substring(0, 20))).max().orElseThrow();
        }
        assertThat(firstEnd).isPositive();
        Path full = Files.createSymbolicLink(journalDir.resolve(String.format("%020d.journal", 2 * firstEnd)), Path.of("/dev/full"));
        q.submit("app", batch).get(5, TimeUnit.SECONDS); // fits; the journal then rolls onto /dev/full

        var failed = q.submit("app", batch);
        assertThatThrownBy(() -> failed.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(StorageException.class)
                .hasMessageContaining("the ingest journal could not be written");

        assertThatThrownBy(() -> q.submit("app", batch).get(5, TimeUnit.SECONDS))
                .as("still full: the next request fails too").cause().isInstanceOf(StorageException.class);

        Files.delete(full); // space again: the next append starts a fresh segment
        q.submit("app", batch).get(5, TimeUnit.SECONDS);

        assertThat(q.awaitStored(Duration.ofSeconds(10))).isTrue();
        assertThat(count(storage)).as("the three journaled requests, nothing of the failed ones").isEqualTo(30);
        assertThat(q.queuedEvents()).as("the failed requests' room is given back").isZero();
        assertThat(q.queuedBytes()).isZero();
        assertThat(told.get("app:stored").get()).isEqualTo(30);
    }
}
