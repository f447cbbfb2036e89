package dev.traceflow.storage.internal;

import dev.traceflow.core.event.EventType;
import dev.traceflow.storage.EventsStored;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class EventsStoredPublisherTest {

    private final Counter waits = new SimpleMeterRegistry().counter("waits");

    @Test
    void stuckListeners_holdUpTheLoaderOnceTheQueuedSignalsCarryTheBoundInEvents_notOnlyInSignals() throws Exception {
        CountDownLatch unstuck = new CountDownLatch(1);
        List<Long> delivered = new CopyOnWriteArrayList<>();
        LoadProgress progress = new LoadProgress();
        progress.start(-1, -1);
        // room for 100 signals, but only 1,000 events: the events decide
        try (EventsStoredPublisher publisher = new EventsStoredPublisher(stored -> {
            waitFor(unstuck);
            delivered.add(stored.apps().getFirst().stored());
        }, progress, 100, 1_000, waits)) {
            publisher.publish(load(400), 0);   // taken by the stuck listener
            publisher.publish(load(400), 1);
            publisher.publish(load(200), 2);
            assertThat(publisher.queuedEvents()).isEqualTo(1_000);
            assertThat(waits.count()).isZero();

            Thread loader = Thread.ofPlatform().start(() -> {
                try {
                    publisher.publish(load(1), 3);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            loader.join(300);
            assertThat(loader.isAlive()).as("the loader waits for the listeners").isTrue();
            await().atMost(10, TimeUnit.SECONDS).until(() -> publisher.backlog() == 2);

            unstuck.countDown();
            loader.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(loader.isAlive()).isFalse();
            await().atMost(10, TimeUnit.SECONDS).until(() -> delivered.size() == 4);
            // nothing dropped, in order, and the wait was counted
            assertThat(delivered).containsExactly(400L, 400L, 200L, 1L);
            assertThat(waits.count()).isEqualTo(1);
            assertThat(publisher.queuedEvents()).isZero();
        }
    }

    @Test
    void aSignalLargerThanTheBound_isTakenOnceTheQueueIsEmpty() throws Exception {
        List<Long> delivered = new CopyOnWriteArrayList<>();
        LoadProgress progress = new LoadProgress();
        progress.start(-1, -1);
        try (EventsStoredPublisher publisher = new EventsStoredPublisher(
                stored -> delivered.add(stored.apps().getFirst().stored()), progress, 100, 10, waits)) {
            publisher.publish(load(50), 0);
            publisher.publish(load(60), 1);
            publisher.publish(null, 2);

            await().atMost(10, TimeUnit.SECONDS).until(() -> delivered.size() == 2 && publisher.queuedEvents() == 0);
            assertThat(delivered).containsExactly(50L, 60L);
        }
    }

    private static void waitFor(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static EventsStored load(long pageViews) {
        return new EventsStored(Instant.EPOCH, new ArrayList<>(List.of(new EventsStored.AppEvents("app",
                Map.of(EventType.PAGEVIEW, pageViews), 0, List.of(), Set.of(), EventsStored.Breakdown.NONE, List.of()))));
    }
}
