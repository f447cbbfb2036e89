package dev.traceflow.storage.duckdb;

import dev.traceflow.core.storage.StorageException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Answer queries run on reader threads, never on the caller's (virtual) thread, and their queue is bounded. */
class DuckDbReadsTest {

    @Test
    void aQueryFromAVirtualThread_runsOnAReaderThread() throws Exception {
        try (DuckDbStorage storage = DuckDbStorage.inMemory()) {
            DuckDbReads reads = storage.reads();
            AtomicReference<String> ranOn = new AtomicReference<>();
            AtomicReference<Long> answer = new AtomicReference<>();

            Thread.ofVirtual().start(() -> answer.set(reads.one(new Sql().append("SELECT 42"), rs -> {
                ranOn.set(Thread.currentThread().getName());
                return rs.getLong(1);
            }))).join();

            assertThat(answer.get()).isEqualTo(42L);
            assertThat(ranOn.get()).startsWith("duckdb-read-");
        }
    }

    @Test
    void moreWaitingQueriesThanTheBound_areRefusedAsAStorageCondition() throws Exception {
        try (DuckDbStorage storage = DuckDbStorage.inMemory()) {
            DuckDbReads reads = storage.reads();
            CountDownLatch release = new CountDownLatch(1);
            List<Thread> blockers = new ArrayList<>();
            // fill the reader threads (two) and the queue with queries held in their row mappers
            for (int i = 0; i < 2 + DuckDbReads.MAX_WAITING; i++) {
                blockers.add(Thread.ofVirtual().start(() -> reads.one(new Sql().append("SELECT 1"), rs -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return 1;
                })));
            }
            Thread.sleep(300);
            try {
                assertThatThrownBy(() -> reads.one(new Sql().append("SELECT 1"), rs -> 1))
                        .isInstanceOf(StorageException.class).hasMessageContaining("too many answer queries");
            } finally {
                release.countDown();
                for (Thread t : blockers) {
                    t.join();
                }
            }
        }
    }
}
