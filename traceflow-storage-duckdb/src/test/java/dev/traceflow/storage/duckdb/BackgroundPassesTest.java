package dev.traceflow.storage.duckdb;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link BackgroundPasses}: asks during a pass make exactly one more pass after it; close waits for
 * the pass under way and ends its rests; a failing pass is counted and the thread goes on; a pass
 * runs unasked only with a {@code checkEvery}.
 */
class BackgroundPassesTest {

    private static final long NO_SPACING = 0;

    private static BackgroundPasses passes(BackgroundPasses.Pass pass, Duration checkEvery) {
        return new BackgroundPasses("test-passes", LoggerFactory.getLogger(BackgroundPassesTest.class), "a test pass",
                pass, took -> NO_SPACING, checkEvery);
    }

    /** A pass that waits, on its first run, until the test lets it go on. */
    private static final class HeldPass implements BackgroundPasses.Pass {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger runs = new AtomicInteger();

        @Override
        public void run() {
            if (runs.incrementAndGet() == 1) {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    @Test
    void theFirstPass_runsAtStart_andNoneWithoutBeingAskedAgain() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        BackgroundPasses passes = passes(runs::incrementAndGet, Duration.ZERO);
        passes.start();
        try {
            passes.awaitIdle(() -> true);
            Thread.sleep(200);

            assertThat(runs).hasValue(1);
            assertThat(passes.passes()).isEqualTo(1);
        } finally {
            passes.close();
        }
    }

    @Test
    void asksDuringAPass_makeOneMorePassAfterIt_notOneEach() throws Exception {
        HeldPass pass = new HeldPass();
        BackgroundPasses passes = passes(pass, Duration.ZERO);
        passes.start();
        try {
            assertThat(pass.entered.await(5, TimeUnit.SECONDS)).isTrue();
            passes.request();
            passes.request();
            passes.request();
            pass.release.countDown();
            passes.awaitIdle(() -> true);
            Thread.sleep(200);

            assertThat(pass.runs).hasValue(2);
        } finally {
            passes.close();
        }
    }

    @Test
    void close_waitsForThePassUnderWay_andEndsItsRest() throws Exception {
        CountDownLatch resting = new CountDownLatch(1);
        AtomicBoolean restEnded = new AtomicBoolean();
        AtomicBoolean finished = new AtomicBoolean();
        BackgroundPasses[] self = new BackgroundPasses[1];
        BackgroundPasses passes = passes(() -> {
            resting.countDown();
            restEnded.set(!self[0].rest(TimeUnit.MINUTES.toNanos(10)));
            finished.set(true);
        }, Duration.ZERO);
        self[0] = passes;
        passes.start();
        assertThat(resting.await(5, TimeUnit.SECONDS)).isTrue();

        long started = System.nanoTime();
        passes.close();

        assertThat(finished).isTrue();
        assertThat(restEnded).as("the rest says the passes are closed").isTrue();
        assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(5));
        assertThat(passes.isClosed()).isTrue();
    }

    @Test
    void afterClose_asksRunNoPass() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        BackgroundPasses passes = passes(runs::incrementAndGet, Duration.ZERO);
        passes.start();
        passes.awaitIdle(() -> true);
        passes.close();

        passes.request();
        Thread.sleep(200);

        assertThat(runs).hasValue(1);
    }

    @Test
    void aFailingPass_isCounted_andTheNextPassStillRuns() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        BackgroundPasses passes = passes(() -> {
            if (runs.incrementAndGet() == 1) {
                throw new SQLException("disk on fire");
            }
            if (runs.get() == 2) {
                throw new IllegalStateException("still on fire");
            }
        }, Duration.ZERO);
        passes.start();
        try {
            passes.awaitIdle(() -> true);
            passes.request();
            passes.awaitIdle(() -> true);
            passes.request();
            passes.awaitIdle(() -> true);

            assertThat(runs).hasValue(3);
            assertThat(passes.failures()).isEqualTo(2);
            assertThat(passes.passes()).isEqualTo(3);
        } finally {
            passes.close();
        }
    }

    @Test
    void withCheckEvery_passesRunWithoutBeingAsked() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        BackgroundPasses passes = passes(runs::incrementAndGet, Duration.ofMillis(20));
        passes.start();
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (runs.get() < 3 && System.nanoTime() < until) {
                Thread.sleep(10);
            }

            assertThat(runs.get()).isGreaterThanOrEqualTo(3);
        } finally {
            passes.close();
        }
    }

    @Test
    void anAskedPass_waitsForTheSpacingAfterThePreviousStart() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        long spacing = TimeUnit.MILLISECONDS.toNanos(400);
        BackgroundPasses passes = new BackgroundPasses("test-passes", LoggerFactory.getLogger(BackgroundPassesTest.class),
                "a test pass", runs::incrementAndGet, took -> spacing, Duration.ZERO);
        passes.start();
        try {
            passes.awaitIdle(() -> true);
            long asked = System.nanoTime();
            passes.request();
            passes.awaitIdle(() -> true);

            assertThat(runs).hasValue(2);
            assertThat(System.nanoTime() - asked).isGreaterThanOrEqualTo(spacing / 2);
        } finally {
            passes.close();
        }
    }
}
