package dev.traceflow.storage.duckdb;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.storage.StorageException;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static dev.traceflow.storage.tests.QueryEvents.pageview;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Answer queries run on reader threads, never on the caller's (virtual) thread, their queue is
 * bounded and metered; the connections they run on keep their prepared statements between reads.
 */
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

    @Test
    void aReadThatSleeps_runsWithoutCpu_andOneThatComputes_countsItsCpu() {
        try (DuckDbStorage storage = DuckDbStorage.inMemory()) {
            DuckDbReads reads = storage.reads();
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new DuckDbReadMeters(reads).bindTo(registry);
            FunctionTimer run = registry.get("traceflow.storage.reads").tag("phase", "run").functionTimer();
            FunctionTimer cpu = registry.get("traceflow.storage.reads.cpu").functionTimer();

            reads.one(new Sql().append("SELECT 1"), rs -> {
                try {
                    Thread.sleep(100); // running, but off the CPU
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return rs.getLong(1);
            });
            assertThat(run.totalTime(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(100);
            assertThat(cpu.totalTime(TimeUnit.MILLISECONDS)).isLessThan(50);

            double cpuBefore = cpu.totalTime(TimeUnit.MILLISECONDS);
            double runBefore = run.totalTime(TimeUnit.MILLISECONDS);
            reads.one(new Sql().append("SELECT sum(i * i % 7) FROM range(30000000) t(i)"), rs -> rs.getLong(1));
            double computed = cpu.totalTime(TimeUnit.MILLISECONDS) - cpuBefore;
            assertThat(computed).isPositive().isLessThanOrEqualTo(run.totalTime(TimeUnit.MILLISECONDS) - runBefore + 1);
            assertThat(cpu.count()).isEqualTo(2);
        }
    }

    @Test
    void aReadWhoseThreadWaitsForTheCpu_isMeteredAsWaitingForIt() throws Exception {
        assumeTrue(ReaderThreadTimes.runQueueMeasured(), "Linux run-queue delay (/proc/thread-self/schedstat) not readable here");
        try (DuckDbStorage storage = DuckDbStorage.inMemory()) {
            DuckDbReads reads = storage.reads();
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new DuckDbReadMeters(reads).bindTo(registry);
            // more busy threads than CPUs, so the reader thread must queue for one while it computes
            AtomicBoolean spin = new AtomicBoolean(true);
            List<Thread> busy = new ArrayList<>();
            for (int i = 0; i < 2 * Runtime.getRuntime().availableProcessors(); i++) {
                busy.add(Thread.ofPlatform().daemon().start(() -> {
                    long x = 0;
                    while (spin.get()) {
                        x += System.nanoTime() % 3;
                    }
                    Blackhole.keep(x);
                }));
            }
            try {
                reads.one(new Sql().append("SELECT sum(i * i % 7) FROM range(30000000) t(i)"), rs -> rs.getLong(1));
            } finally {
                spin.set(false);
                for (Thread t : busy) {
                    t.join();
                }
            }

            double run = registry.get("traceflow.storage.reads").tag("phase", "run").functionTimer().totalTime(TimeUnit.MILLISECONDS);
            double cpu = registry.get("traceflow.storage.reads.cpu").functionTimer().totalTime(TimeUnit.MILLISECONDS);
            double waited = registry.get("traceflow.storage.reads.cpu.wait").functionTimer().totalTime(TimeUnit.MILLISECONDS);
            assertThat(waited).isPositive();
            // the kernel's and the JVM's clocks differ by their tick accounting: a little slack
            assertThat(cpu + waited).isLessThanOrEqualTo(run * 1.05 + 5);
        }
    }

    /** Keeps a busy loop's result alive, so the JIT cannot drop the loop. */
    static final class Blackhole {
        static volatile long sink;

        static void keep(long value) {
            sink = value;
        }
    }

    @Test
    void theSameStatementAskedAgain_isPreparedOnce_withNewValues() {
        try (DuckDbStorage storage = DuckDbStorage.inMemory()) {
            DuckDbReads reads = storage.reads();
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new DuckDbReadMeters(reads).bindTo(registry);

            List<Long> answers = new ArrayList<>();
            for (long v : new long[] {1, 2, 3}) {
                answers.add(reads.one(new Sql().append("SELECT CAST(? AS BIGINT) * 10", v), rs -> rs.getLong(1)));
            }
            reads.one(new Sql().append("SELECT 7"), rs -> rs.getLong(1));

            assertThat(answers).containsExactly(10L, 20L, 30L);
            assertThat(registry.get("traceflow.storage.reads.statements").tag("result", "prepared").functionCounter().count())
                    .isEqualTo(2);
            assertThat(registry.get("traceflow.storage.reads.statements").tag("result", "reused").functionCounter().count())
                    .isEqualTo(2);
        }
    }

    /**
     * A read that ran in a transaction (the overview checks the session cache in one) gives its
     * connection back in autocommit mode: later reads on it each see what was stored before them,
     * not a snapshot a transaction left open.
     */
    @Test
    void aReusedConnection_seesWhatWasStoredAfterAReadInATransaction() {
        Instant day = Instant.parse("2026-11-02T00:00:00Z");
        EventQuery q = EventQuery.of("app", day, day.plusSeconds(86_400));
        try (DuckDbStorage storage = DuckDbStorage.inMemory()) {
            List<Long> counts = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                storage.consumer().accept(List.of(pageview("app", day.plusSeconds(600L * i), "/").anonymous("a" + i).build()));
                if (i == 1) {
                    assertThat(storage.metrics().overview(q).pageViews()).isEqualTo(1);
                } else {
                    counts.add(storage.reads().one(new Sql().append("SELECT count(*) FROM events"), rs -> rs.getLong(1)));
                }
            }

            assertThat(counts).containsExactly(2L, 3L);
            assertThat(storage.metrics().overview(q).pageViews()).isEqualTo(3);
            assertThat(storage.reads().statementsReused()).as("the overview's statement ran again").isPositive();
        }
    }

    @Test
    void aFailedRead_doesNotSpoilTheNextOne() {
        try (DuckDbStorage storage = DuckDbStorage.inMemory()) {
            DuckDbReads reads = storage.reads();
            assertThatThrownBy(() -> reads.one(new Sql().append("SELECT * FROM no_such_table"), rs -> 1))
                    .isInstanceOf(StorageException.class).hasMessageContaining("no_such_table");
            assertThatThrownBy(() -> reads.one(new Sql().append("SELECT 1"), rs -> {
                throw new IllegalStateException("mapper failed");
            })).isInstanceOf(IllegalStateException.class);

            long answer = reads.one(new Sql().append("SELECT 1"), rs -> rs.getLong(1));
            assertThat(answer).isEqualTo(1);
        }
    }
}
