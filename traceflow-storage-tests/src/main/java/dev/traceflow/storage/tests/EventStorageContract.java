package dev.traceflow.storage.tests;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.core.storage.EventWriter;
import dev.traceflow.core.storage.StorageException;
import dev.traceflow.core.storage.WriteResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
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

            WriteResult result = storage.writer().write(events);

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
            WriteResult first = storage.writer().write(List.of(
                    TestEvents.withId("app-a", EventType.PAGEVIEW, at, "e-1"),
                    TestEvents.withId("app-a", EventType.PAGEVIEW, at, "e-1")));
            WriteResult second = storage.writer().write(List.of(
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
            storage.writer().write(List.of(TestEvents.withId("app-a", EventType.EVENT, at, "same")));
            WriteResult other = storage.writer().write(List.of(TestEvents.withId("app-b", EventType.EVENT, at, "same")));

            assertThat(other.stored()).isEqualTo(1);
            assertThat(storage.counts().count("app-b", NOW.minusSeconds(60), NOW)).isEqualTo(1);
        }

        @Test
        void write_eventsWithoutIdAreNeverDuplicates() {
            Event e = TestEvents.pageview("app-a", NOW.minusSeconds(5));
            storage.writer().write(List.of(e, e));
            storage.writer().write(List.of(e));

            assertThat(storage.counts().count("app-a", NOW.minusSeconds(60), NOW)).isEqualTo(3);
        }

        @Test
        void write_manyEventsInOneCallAreAllStored() {
            List<Event> events = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                events.add(TestEvents.withId("app-a", EventType.CLICK, NOW.minusMillis(i), "id-" + i));
            }
            assertThat(storage.writer().write(events).stored()).isEqualTo(10_000);
            assertThat(storage.counts().count("app-a", NOW.minusSeconds(60), NOW.plusMillis(1))).isEqualTo(10_000);
        }

        @Test
        void write_fromAnotherThreadAfterTheFirstHasEndedIsStored() throws Exception {
            // the SPI asks for one thread at a time, not one thread forever: a restarted writer
            // loop runs on a new thread
            Instant at = NOW.minusSeconds(5);
            Thread first = Thread.ofPlatform().start(() -> storage.writer().write(List.of(TestEvents.pageview("app-a", at))));
            first.join();
            Thread second = Thread.ofPlatform().start(() -> {
                storage.writer().write(List.of(TestEvents.pageview("app-a", at)));
                storage.writer().deleteOlderThan("app-x", at);
            });
            second.join();
            storage.writer().write(List.of(TestEvents.pageview("app-a", at)));

            assertThat(storage.counts().count("app-a", NOW.minusSeconds(60), NOW)).isEqualTo(3);
        }

        @Test
        void deleteOlderThan_removesOnlyThatAppsOlderEvents() {
            storage.writer().write(List.of(
                    TestEvents.pageview("app-a", NOW.minus(Duration.ofDays(100))),
                    TestEvents.pageview("app-a", NOW.minus(Duration.ofDays(10))),
                    TestEvents.pageview("app-b", NOW.minus(Duration.ofDays(100)))));

            long deleted = storage.writer().deleteOlderThan("app-a", NOW.minus(Duration.ofDays(90)));

            assertThat(deleted).isEqualTo(1);
            Instant longAgo = NOW.minus(Duration.ofDays(365));
            assertThat(storage.counts().count("app-a", longAgo, NOW)).isEqualTo(1);
            assertThat(storage.counts().count("app-b", longAgo, NOW)).isEqualTo(1);
        }
    }

    @Nested
    class Counts {

        @Test
        void countByType_isHalfOpenOnTheEventTime() {
            Instant from = NOW.minusSeconds(100);
            Instant to = NOW.minusSeconds(50);
            storage.writer().write(List.of(
                    TestEvents.pageview("app-a", from),
                    TestEvents.pageview("app-a", to.minusMillis(1)),
                    TestEvents.pageview("app-a", to),
                    TestEvents.pageview("app-a", from.minusMillis(1))));

            assertThat(storage.counts().countByType("app-a", from, to)).isEqualTo(Map.of("pageview", 2L));
        }

        @Test
        void countByType_separatesAppsAndTypes() {
            storage.writer().write(List.of(
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

    /** What a journal in front of the backend relies on: encoded batches and the stored position. */
    @Nested
    class EncodedBatches {

        @Test
        void writeEncoded_storesManyBatchesInOneCallAndCountsDuplicatesAcrossThem() {
            Instant at = NOW.minusSeconds(5);
            byte[] first = storage.writer().encode(List.of(
                    TestEvents.withId("app-a", EventType.PAGEVIEW, at, "x"),
                    TestEvents.withId("app-a", EventType.CLICK, at, "y")));
            byte[] second = storage.writer().encode(List.of(
                    TestEvents.withId("app-a", EventType.PAGEVIEW, at, "x"),
                    TestEvents.pageview("app-a", at)));

            WriteResult result = storage.writer().writeEncoded(List.of(first, second), 7);

            assertThat(result.stored()).isEqualTo(3);
            assertThat(result.duplicates().stream().boxed().toList()).containsExactly(2);
            assertThat(storage.counts().countByType("app-a", NOW.minusSeconds(60), NOW))
                    .containsEntry("pageview", 2L).containsEntry("click", 1L);
        }

        @Test
        void writeEncoded_recordsThePositionOnlyWhenGivenOne() {
            assertThat(storage.writer().storedPosition()).isEqualTo(EventWriter.NO_POSITION);
            byte[] batch = storage.writer().encode(List.of(TestEvents.pageview("app-a", NOW.minusSeconds(5))));

            storage.writer().writeEncoded(List.of(batch), 42);
            assertThat(storage.writer().storedPosition()).isEqualTo(42);
            storage.writer().writeEncoded(List.of(batch), EventWriter.NO_POSITION);
            assertThat(storage.writer().storedPosition()).isEqualTo(42);
            storage.writer().write(List.of(TestEvents.pageview("app-a", NOW.minusSeconds(5))));
            assertThat(storage.writer().storedPosition()).isEqualTo(42);
            assertThat(storage.counts().count("app-a", NOW.minusSeconds(60), NOW)).isEqualTo(3);
        }

        @Test
        void slice_splitsABatchAcrossTransactionsWithNothingLostDoubledOrMixedUp() {
            Instant at = NOW.minusSeconds(5);
            byte[] batch = storage.writer().encode(List.of(
                    TestEvents.withId("app-a", EventType.PAGEVIEW, at, "s0"),
                    TestEvents.withId("app-a", EventType.CLICK, at, "s1"),
                    TestEvents.withId("app-a", EventType.ERROR, at, "s2"),
                    TestEvents.pageview("app-a", at)));

            WriteResult head = storage.writer().writeEncoded(List.of(storage.writer().slice(batch, 0, 2)), 5);
            WriteResult tail = storage.writer().writeEncoded(List.of(storage.writer().slice(batch, 1, 4)), 6);

            assertThat(head.stored()).isEqualTo(2);
            assertThat(tail.stored()).as("s1 again is a duplicate; its key went with the slice").isEqualTo(2);
            assertThat(tail.duplicates().stream().boxed().toList()).containsExactly(0);
            assertThat(storage.counts().countByType("app-a", NOW.minusSeconds(60), NOW))
                    .containsEntry("pageview", 2L).containsEntry("click", 1L).containsEntry("error", 1L);
            assertThat(storage.writer().slice(batch, 4, 4)).as("an empty slice is a batch too").isNotNull();
            assertThatThrownBy(() -> storage.writer().slice(batch, 2, 5)).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void writeEncoded_corruptBatchStoresNothingAndKeepsThePosition() {
            byte[] good = storage.writer().encode(List.of(TestEvents.withId("app-a", EventType.PAGEVIEW, NOW.minusSeconds(5), "g")));
            storage.writer().writeEncoded(List.of(good), 1);
            byte[] again = storage.writer().encode(List.of(TestEvents.withId("app-a", EventType.PAGEVIEW, NOW.minusSeconds(5), "h")));
            byte[] truncated = java.util.Arrays.copyOf(again, again.length - 3);

            assertThatThrownBy(() -> storage.writer().writeEncoded(List.of(again, truncated), 2))
                    .isInstanceOf(StorageException.class);

            assertThat(storage.writer().storedPosition()).isEqualTo(1);
            assertThat(storage.counts().count("app-a", NOW.minusSeconds(60), NOW)).isEqualTo(1);
            // the failed write's ids were released: they can still be stored
            assertThat(storage.writer().writeEncoded(List.of(again), 3).stored()).isEqualTo(1);
        }
    }

    @Nested
    class Persistence {

        @Test
        void reopen_keepsEventsAndRemembersEventIds() {
            storage.writer().write(List.of(TestEvents.withId("app-a", EventType.PAGEVIEW, NOW.minusSeconds(1), "kept")));
            EventStorage reopened = reopen(storage);
            org.junit.jupiter.api.Assumptions.assumeTrue(reopened != null, "backend is not persistent");
            storage = reopened;

            assertThat(storage.counts().count("app-a", NOW.minusSeconds(10), NOW)).isEqualTo(1);
            WriteResult again = storage.writer().write(List.of(
                    TestEvents.withId("app-a", EventType.PAGEVIEW, NOW.minusSeconds(1), "kept")));
            assertThat(again.stored()).isZero();
        }

        @Test
        void reopen_keepsTheStoredPosition() {
            storage.writer().writeEncoded(List.of(storage.writer().encode(List.of(TestEvents.pageview("app-a", NOW.minusSeconds(1))))), 99);
            EventStorage reopened = reopen(storage);
            org.junit.jupiter.api.Assumptions.assumeTrue(reopened != null, "backend is not persistent");
            storage = reopened;

            assertThat(storage.writer().storedPosition()).isEqualTo(99);
        }

        @Test
        void check_passesOnAHealthyStorage() {
            storage.check();
        }
    }
}
