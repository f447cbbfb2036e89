package dev.traceflow.storage.duckdb;

import dev.traceflow.core.storage.StorageException;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Answer queries run on reader threads, never on the caller's (virtual) thread, their queue is bounded and metered. */
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
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new DuckDbReadMeters(reads).bindTo(registry);
            try {
                assertThatThrownBy(() -> reads.one(new Sql().append("SELECT 1"), rs -> 1))
                        .isInstanceOf(StorageException.class).hasMessageContaining("too many answer queries");
                assertThat(registry.get("traceflow.storage.reads.refused").functionCounter().count()).isEqualTo(1);
                assertThat(registry.get("traceflow.storage.reads.waiting").gauge().value()).isEqualTo(DuckDbReads.MAX_WAITING);
            } finally {
                release.countDown();
                for (Thread t : blockers) {
                    t.join();
                }
            }
        }
    }

    @Test
    void aRead_isTimedApartWhileQueuedAndWhileRunning() throws Exception {
        try (DuckDbStorage storage = DuckDbStorage.inMemory()) {
            DuckDbReads reads = storage.reads();
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new DuckDbReadMeters(reads).bindTo(registry);

            reads.one(new Sql().append("SELECT 1"), rs -> {
                try {
                    Thread.sleep(50); // on the reader thread: counts as running
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return rs.getLong(1);
            });

            FunctionTimer run = registry.get("traceflow.storage.reads").tag("phase", "run").functionTimer();
            FunctionTimer wait = registry.get("traceflow.storage.reads").tag("phase", "wait").functionTimer();
            assertThat(run.count()).isEqualTo(1);
            assertThat(run.totalTime(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(50);
            assertThat(wait.count()).isEqualTo(1);
            assertThat(wait.totalTime(TimeUnit.MILLISECONDS)).isLessThan(50);
            assertThat(registry.get("traceflow.storage.reads.refused").functionCounter().count()).isZero();
        }
    }
}
