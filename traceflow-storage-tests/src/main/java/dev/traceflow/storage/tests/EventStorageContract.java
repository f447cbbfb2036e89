package dev.traceflow.storage.tests;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.storage.EventConsumer;
import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.core.storage.PreparedEvents;
import dev.traceflow.core.storage.StorageException;
import dev.traceflow.core.storage.WriteResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The behaviour every {@link EventStorage} backend must have, written once. A backend's test
 * extends this class and supplies {@link #openStorage()}; a test a backend cannot pass is
 * overridden with {@code @Disabled("why")}, never silently skipped.
 */
public abstract class EventStorageContract {

    protected static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    protected EventStorage storage;

    /** A fresh, empty storage. */
    protected abstract EventStorage openStorage();

    /**
     * Closes and opens the same storage again (same files); backends without persistence
     * return {@code null} and the persistence tests are skipped with a reason.
     */
    protected EventStorage reopen(EventStorage closed) {
        return null;
    }

    @BeforeEach
    void open() {
        storage = openStorage();
    }

    @AfterEach
    void close() {
        if (storage != null) {
            storage.close();
        }
    }

    @Nested
    class WriteSide {

        @Test
        void write_storesEveryTypeWithItsDetails() {
            List<Event> events = TestEvents.oneOfEachType("app-a", NOW.minusSeconds(5));

            WriteResult result = storage.consumer().accept(events);

            assertThat(result.stored()).isEqualTo(events.size());
            assertThat(result.duplicates().isEmpty()).isTrue();
            Map<String, Long> counts = storage.counts().countByType("app-a", NOW.minusSeconds(60), NOW);
            for (EventType type : EventType.values()) {
                assertThat(counts).as(type.wireName()).containsEntry(type.wireName(), 1L);
            }
        }

        @Test
        void write_repeatedEventIdForSameAppIsStoredOnce() {
            Instant at = NOW.minusSeconds(5);
            WriteResult first = storage.consumer().accept(List.of(
                    TestEvents.withId("app-a", EventType.PAGEVIEW, at, "e-1"),
                    TestEvents.withId("app-a", EventType.PAGEVIEW, at, "e-1")));
            WriteResult second = storage.consumer().accept(List.of(
                    TestEvents.withId("app-a", EventType.PAGEVIEW, at, "e-1"),
                    TestEvents.withId("app-a", EventType.PAGEVIEW, at, "e-2")));

            assertThat(first.stored()).isEqualTo(1);
            assertThat(first.isDuplicate(1)).isTrue();
            assertThat(second.stored()).isEqualTo(1);
            assertThat(second.isDuplicate(0)).isTrue();
            assertThat(second.isDuplicate(1)).isFalse();
            assertThat(storage.counts().count("app-a", NOW.minusSeconds(60), NOW)).isEqualTo(2);
        }

        @Test
        void write_sameEventIdInAnotherAppIsNotADuplicate() {
            Instant at = NOW.minusSeconds(5);
            storage.consumer().accept(List.of(TestEvents.withId("app-a", EventType.EVENT, at, "same")));
            WriteResult other = storage.consumer().accept(List.of(TestEvents.withId("app-b", EventType.EVENT, at, "same")));

            assertThat(other.stored()).isEqualTo(1);
            assertThat(storage.counts().count("app-b", NOW.minusSeconds(60), NOW)).isEqualTo(1);
        }

        @Test
        void write_eventsWithoutIdAreNeverDuplicates() {
            Event e = TestEvents.pageview("app-a", NOW.minusSeconds(5));
            storage.consumer().accept(List.of(e, e));
            storage.consumer().accept(List.of(e));

            assertThat(storage.counts().count("app-a", NOW.minusSeconds(60), NOW)).isEqualTo(3);
        }

        @Test
        void write_manyEventsInOneCallAreAllStored() {
            List<Event> events = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                events.add(TestEvents.withId("app-a", EventType.CLICK, NOW.minusMillis(i), "id-" + i));
            }
            assertThat(storage.consumer().accept(events).stored()).isEqualTo(10_000);
            assertThat(storage.counts().count("app-a", NOW.minusSeconds(60), NOW.plusMillis(1))).isEqualTo(10_000);
        }

        @Test
        void write_fromAnotherThreadAfterTheFirstHasEndedIsStored() throws Exception {
            // the SPI asks for one thread at a time, not one thread forever: a restarted writer
            // loop runs on a new thread
            Instant at = NOW.minusSeconds(5);
            Thread first = Thread.ofPlatform().start(() -> storage.consumer().accept(List.of(TestEvents.pageview("app-a", at))));
            first.join();
            Thread second = Thread.ofPlatform().start(() -> {
                storage.consumer().accept(List.of(TestEvents.pageview("app-a", at)));
                storage.consumer().deleteOlderThan("app-x", at);
            });
            second.join();
            storage.consumer().accept(List.of(TestEvents.pageview("app-a", at)));

            assertThat(storage.counts().count("app-a", NOW.minusSeconds(60), NOW)).isEqualTo(3);
        }

        @Test
        void deleteOlderThan_removesOnlyThatAppsOlderEvents() {
            storage.consumer().accept(List.of(
                    TestEvents.pageview("app-a", NOW.minus(Duration.ofDays(100))),
                    TestEvents.pageview("app-a", NOW.minus(Duration.ofDays(10))),
                    TestEvents.pageview("app-b", NOW.minus(Duration.ofDays(100)))));

            long deleted = storage.consumer().deleteOlderThan("app-a", NOW.minus(Duration.ofDays(90)));

            assertThat(deleted).isEqualTo(1);
            Instant longAgo = NOW.minus(Duration.ofDays(365));
            assertThat(storage.counts().count("app-a", longAgo, NOW)).isEqualTo(1);
            assertThat(storage.counts().count("app-b", longAgo, NOW)).isEqualTo(1);
        }

        @Test
        void deleteUser_removesThatPersonsEventsOfThatAppOnly() {
            Instant at = NOW.minusSeconds(5);
            storage.consumer().accept(List.of(
                    TestEvents.base("app-a", EventType.PAGEVIEW, at).userId("gone").anonymousId("a-1").build(),
                    TestEvents.base("app-a", EventType.CLICK, at).userId(null).anonymousId("gone-device").build(),
                    TestEvents.base("app-a", EventType.PAGEVIEW, at).userId("stays").anonymousId("a-2").build(),
                    TestEvents.base("app-b", EventType.PAGEVIEW, at).userId("gone").build()));

            long byUser = storage.consumer().deleteUser("app-a", "gone", null);
            long byDevice = storage.consumer().deleteUser("app-a", null, "gone-device");

            assertThat(byUser).isEqualTo(1);
            assertThat(byDevice).isEqualTo(1);
            assertThat(storage.counts().countByType("app-a", NOW.minusSeconds(60), NOW)).isEqualTo(Map.of("pageview", 1L));
            assertThat(storage.counts().count("app-b", NOW.minusSeconds(60), NOW)).isEqualTo(1);
        }
    }

    @Nested
    class Deletion {

        @Test
        void deleteApp_removesEveryEventOfThatAppOnly() {
            storage.consumer().accept(List.of(
                    TestEvents.pageview("app-a", NOW.minus(Duration.ofDays(100))),
                    TestEvents.error("app-a", NOW.plus(Duration.ofDays(1))),
                    TestEvents.pageview("app-b", NOW.minusSeconds(1))));

            assertThat(storage.consumer().deleteApp("app-a")).isEqualTo(2);

            Instant longAgo = NOW.minus(Duration.ofDays(365));
            assertThat(storage.counts().count("app-a", longAgo, NOW.plus(Duration.ofDays(2)))).isZero();
            assertThat(storage.counts().count("app-b", longAgo, NOW)).isEqualTo(1);
            assertThat(storage.consumer().deleteApp("nobody")).isZero();
        }
    }

    @Nested
    class Counts {

        @Test
        void countByType_isHalfOpenOnTheEventTime() {
            Instant from = NOW.minusSeconds(100);
            Instant to = NOW.minusSeconds(50);
            storage.consumer().accept(List.of(
                    TestEvents.pageview("app-a", from),
                    TestEvents.pageview("app-a", to.minusMillis(1)),
                    TestEvents.pageview("app-a", to),
                    TestEvents.pageview("app-a", from.minusMillis(1))));

            assertThat(storage.counts().countByType("app-a", from, to)).isEqualTo(Map.of("pageview", 2L));
        }

        @Test
        void countByType_separatesAppsAndTypes() {
            storage.consumer().accept(List.of(
                    TestEvents.pageview("app-a", NOW.minusSeconds(1)),
                    TestEvents.error("app-a", NOW.minusSeconds(1)),
                    TestEvents.error("app-a", NOW.minusSeconds(1)),
                    TestEvents.pageview("app-b", NOW.minusSeconds(1))));

            assertThat(storage.counts().countByType("app-a", NOW.minusSeconds(10), NOW))
                    .isEqualTo(Map.of("pageview", 1L, "error", 2L));
            assertThat(storage.counts().countByType("app-b", NOW.minusSeconds(10), NOW))
                    .isEqualTo(Map.of("pageview", 1L));
        }

        @Test
        void countByType_unknownAppIsEmpty() {
            assertThat(storage.counts().countByType("nobody", NOW.minusSeconds(10), NOW)).isEmpty();
        }
    }

    /** What the loader in front of the backend relies on: prepared batches, slices and the stored position. */
    @Nested
    class PreparedBatches {

        @Test
        void store_storesManyBatchesInOneCallAndCountsDuplicatesAcrossThem() {
            Instant at = NOW.minusSeconds(5);
            PreparedEvents first = storage.consumer().prepare(List.of(
                    TestEvents.withId("app-a", EventType.PAGEVIEW, at, "x"),
                    TestEvents.withId("app-a", EventType.CLICK, at, "y")));
            PreparedEvents second = storage.consumer().prepare(List.of(
                    TestEvents.withId("app-a", EventType.PAGEVIEW, at, "x"),
                    TestEvents.pageview("app-a", at)));

            WriteResult result = storage.consumer().store(List.of(first, second), 7);

            assertThat(result.stored()).isEqualTo(3);
            assertThat(result.duplicates().stream().boxed().toList()).containsExactly(2);
            assertThat(storage.counts().countByType("app-a", NOW.minusSeconds(60), NOW))
                    .containsEntry("pageview", 2L).containsEntry("click", 1L);
        }

        @Test
        void store_takesPlainEventsAsWellAsItsOwnPreparedBatches() {
            Instant at = NOW.minusSeconds(5);
            PreparedEvents plain = PreparedEvents.of(List.of(TestEvents.withId("app-a", EventType.PAGEVIEW, at, "p1")));
            PreparedEvents own = storage.consumer().prepare(List.of(TestEvents.withId("app-a", EventType.PAGEVIEW, at, "p1"),
                    TestEvents.withId("app-a", EventType.ERROR, at, "p2")));

            WriteResult result = storage.consumer().store(List.of(plain, own), EventConsumer.NO_POSITION);

            assertThat(result.stored()).isEqualTo(2);
            assertThat(result.duplicates().stream().boxed().toList()).containsExactly(1);
        }

        @Test
        void prepare_isSafeFromManyThreadsAtOnce() throws Exception {
            Instant at = NOW.minusSeconds(5);
            List<PreparedEvents> batches = Collections.synchronizedList(new ArrayList<>());
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 50; i++) {
                        batches.add(storage.consumer().prepare(List.of(
                                TestEvents.withId("app-a", EventType.CLICK, at, "t" + thread + "-" + i),
                                TestEvents.error("app-a", at))));
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }

            assertThat(storage.consumer().store(batches, EventConsumer.NO_POSITION).stored()).isEqualTo(400);
            assertThat(storage.counts().countByType("app-a", NOW.minusSeconds(60), NOW))
                    .isEqualTo(Map.of("click", 200L, "error", 200L));
        }

        @Test
        void store_recordsThePositionOnlyWhenGivenOne() {
            assertThat(storage.consumer().storedPosition()).isEqualTo(EventConsumer.NO_POSITION);
            PreparedEvents batch = storage.consumer().prepare(List.of(TestEvents.pageview("app-a", NOW.minusSeconds(5))));

            storage.consumer().store(List.of(batch), 42);
            assertThat(storage.consumer().storedPosition()).isEqualTo(42);
            storage.consumer().store(List.of(batch), EventConsumer.NO_POSITION);
            assertThat(storage.consumer().storedPosition()).isEqualTo(42);
            storage.consumer().accept(List.of(TestEvents.pageview("app-a", NOW.minusSeconds(5))));
            assertThat(storage.consumer().storedPosition()).isEqualTo(42);
            assertThat(storage.counts().count("app-a", NOW.minusSeconds(60), NOW)).isEqualTo(3);
        }

        @Test
        void slice_splitsABatchAcrossTransactionsWithNothingLostDoubledOrMixedUp() {
            Instant at = NOW.minusSeconds(5);
            PreparedEvents batch = storage.consumer().prepare(List.of(
                    TestEvents.withId("app-a", EventType.PAGEVIEW, at, "s0"),
                    TestEvents.withId("app-a", EventType.CLICK, at, "s1"),
                    TestEvents.withId("app-a", EventType.ERROR, at, "s2"),
                    TestEvents.pageview("app-a", at)));

            WriteResult head = storage.consumer().store(List.of(batch.slice(0, 2)), 5);
            WriteResult tail = storage.consumer().store(List.of(batch.slice(1, 4)), 6);

            assertThat(batch.slice(1, 4).size()).isEqualTo(3);
            assertThat(head.stored()).isEqualTo(2);
            assertThat(tail.stored()).as("s1 again is a duplicate; its id went with the slice").isEqualTo(2);
            assertThat(tail.duplicates().stream().boxed().toList()).containsExactly(0);
            assertThat(storage.counts().countByType("app-a", NOW.minusSeconds(60), NOW))
                    .containsEntry("pageview", 2L).containsEntry("click", 1L).containsEntry("error", 1L);
            assertThat(batch.slice(4, 4).size()).as("an empty slice is a batch too").isZero();
            assertThatThrownBy(() -> batch.slice(2, 5)).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void store_aBatchItCannotReadStoresNothingKeepsThePositionAndForgetsTheIds() {
            PreparedEvents good = storage.consumer().prepare(List.of(TestEvents.withId("app-a", EventType.PAGEVIEW, NOW.minusSeconds(5), "g")));
            storage.consumer().store(List.of(good), 1);
            PreparedEvents again = storage.consumer().prepare(List.of(TestEvents.withId("app-a", EventType.PAGEVIEW, NOW.minusSeconds(5), "h")));
            PreparedEvents foreign = new Foreign();

            assertThatThrownBy(() -> storage.consumer().store(List.of(again, foreign), 2))
                    .isInstanceOf(StorageException.class);

            assertThat(storage.consumer().storedPosition()).isEqualTo(1);
            assertThat(storage.counts().count("app-a", NOW.minusSeconds(60), NOW)).isEqualTo(1);
            // the failed write's ids were not remembered: they can still be stored
            assertThat(storage.consumer().store(List.of(again), 3).stored()).isEqualTo(1);
        }

        @Test
        void batchSizeHint_isAtLeastOne() {
            assertThat(storage.consumer().batchSizeHint()).isPositive();
        }
    }

    /** A batch made by some other backend. */
    private record Foreign() implements PreparedEvents {
        @Override
        public int size() {
            return 1;
        }

        @Override
        public PreparedEvents slice(int from, int to) {
            return this;
        }
    }

    @Nested
    class Persistence {

        @Test
        void reopen_keepsEventsAndRemembersEventIds() {
            storage.consumer().accept(List.of(TestEvents.withId("app-a", EventType.PAGEVIEW, NOW.minusSeconds(1), "kept")));
            EventStorage reopened = reopen(storage);
            Assumptions.assumeTrue(reopened != null, "backend is not persistent");
            storage = reopened;

            assertThat(storage.counts().count("app-a", NOW.minusSeconds(10), NOW)).isEqualTo(1);
            WriteResult again = storage.consumer().accept(List.of(
                    TestEvents.withId("app-a", EventType.PAGEVIEW, NOW.minusSeconds(1), "kept")));
            assertThat(again.stored()).isZero();
        }

        @Test
        void reopen_keepsTheStoredPosition() {
            storage.consumer().store(List.of(storage.consumer().prepare(List.of(TestEvents.pageview("app-a", NOW.minusSeconds(1))))), 99);
            EventStorage reopened = reopen(storage);
            Assumptions.assumeTrue(reopened != null, "backend is not persistent");
            storage = reopened;

            assertThat(storage.consumer().storedPosition()).isEqualTo(99);
        }

        @Test
        void check_passesOnAHealthyStorage() {
            storage.check();
        }
    }
}
