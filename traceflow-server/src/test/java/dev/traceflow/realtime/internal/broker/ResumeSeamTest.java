package dev.traceflow.realtime.internal.broker;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seam of a resume, with the racing publish stopped at exactly the dangerous point instead of
 * hoped for under load. A resume reads the history (what to replay) and registers the subscriber
 * (what comes live); a publish appends to the history and hands the event to the registered
 * subscribers. Were the two not one step each under the topic's lock, an event sequenced between
 * the resume's read and its registration would be in neither (lost), and one sequenced before the
 * read but handed over after the registration would be in both (doubled).
 * <p>
 * The executor is the hook: a connection's writer is started from inside those steps (under the
 * topic's lock), so holding that call freezes one side halfway while the other side runs on a
 * thread of its own. That thread either finishes (the steps interleaved: the outcome shows the loss
 * or the double) or parks on the lock (they did not); the test waits for one of the two, never for
 * a time.
 */
class ResumeSeamTest {

    private final HoldingExecutor executor = new HoldingExecutor();
    private final BrokerFixture fx = new BrokerFixture(BrokerFixture.SETTINGS, executor);
    private final AtomicReference<Throwable> failed = new AtomicReference<>();
    private Thread held;
    private Thread racer;

    @AfterEach
    void release() throws InterruptedException {
        executor.release.countDown();
        for (Thread t : new Thread[] {held, racer}) {
            if (t != null) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
        }
    }

    /**
     * Holds the first start of one connection's writer (the thread that starts it waits inside,
     * with whatever locks it holds) until released; every task then waits for the test
     * ({@link ManualExecutor}).
     */
    private static final class HoldingExecutor extends ManualExecutor {
        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile Connection holdWriterOf;

        @Override
        public void execute(Runnable task) {
            if (task instanceof ConnectionWriter writer && writer.connection() == holdWriterOf) {
                holdWriterOf = null;
                reached.countDown();
                try {
                    if (!release.await(30, TimeUnit.SECONDS)) {
                        throw new AssertionError("the held writer start was never released");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
            super.execute(task);
        }
    }

    private Thread start(Runnable step) {
        return Thread.ofPlatform().uncaughtExceptionHandler((t, e) -> failed.set(e)).start(step);
    }

    /** Waits until the racing thread finished or parked (on the topic's lock: it has nothing else to wait for). */
    private static void finishedOrParked(Thread t) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(1)).until(() ->
                t.getState() == Thread.State.TERMINATED || t.getState() == Thread.State.WAITING);
    }

    /** Publishes orders:1 #1..#3, read by a first client: the state a resume starts from. */
    private String threeEventsPublished() throws PublishRefused {
        BrokerFixture.Client first = fx.connect("shop");
        first.subscribe("orders:1");
        for (int i = 1; i <= 3; i++) {
            fx.broker.publish("shop", "orders:1", String.valueOf(i), "e" + i);
        }
        fx.flush();
        assertThat(first.channel().seqs("orders:1")).containsExactly(1L, 2L, 3L);
        return first.subscribed("orders:1").path("epoch").asString();
    }

    @Test
    void aPublishDuringAResume_betweenItsReplayAndItsRegistration_comesLiveOnce() throws Exception {
        String epoch = threeEventsPublished();
        BrokerFixture.Client again = fx.connect("shop");
        // the resume stops right after it read what to replay (#2, #3), before it is registered for live events
        executor.holdWriterOf = again.connection();
        held = start(() -> again.resume("orders:1", 1, epoch));
        assertThat(executor.reached.await(30, TimeUnit.SECONDS)).isTrue();

        racer = start(() -> {
            try {
                fx.broker.publish("shop", "orders:1", "4", "e4");
            } catch (PublishRefused e) {
                throw new AssertionError(e);
            }
        });
        finishedOrParked(racer);
        assertThat(racer.getState()).as("the publish waits until the resume is registered").isEqualTo(Thread.State.WAITING);

        executor.release.countDown();
        held.join();
        racer.join();
        fx.flush();

        assertThat(failed.get()).isNull();
        assertThat(again.subscribed("orders:1").path("recovered").asBoolean()).isTrue();
        assertThat(again.subscribed("orders:1").path("seq").asLong()).isEqualTo(3);
        assertThat(again.channel().seqs("orders:1")).as("replayed #2, #3, then #4 live: nothing lost, nothing twice")
                .containsExactly(2L, 3L, 4L);
    }

    @Test
    void aPublishHalfwayThroughHandingOver_whenAResumeComes_isReplayedOnce_notAlsoLive() throws Exception {
        String epoch = threeEventsPublished();
        BrokerFixture.Client watcher = fx.connect("shop");
        watcher.subscribe("orders:1");
        fx.flush();
        // #4 is sequenced and in the history, and the publish stops while handing it to the watcher
        executor.holdWriterOf = watcher.connection();
        held = start(() -> {
            try {
                fx.broker.publish("shop", "orders:1", "4", "e4");
            } catch (PublishRefused e) {
                throw new AssertionError(e);
            }
        });
        assertThat(executor.reached.await(30, TimeUnit.SECONDS)).isTrue();

        BrokerFixture.Client again = fx.connect("shop");
        racer = start(() -> again.resume("orders:1", 1, epoch));
        finishedOrParked(racer);
        assertThat(racer.getState()).as("the resume waits until the publish has handed #4 over").isEqualTo(Thread.State.WAITING);

        executor.release.countDown();
        held.join();
        racer.join();
        fx.flush();

        assertThat(failed.get()).isNull();
        assertThat(again.subscribed("orders:1").path("seq").asLong()).as("the resume starts after #4").isEqualTo(4);
        assertThat(again.channel().seqs("orders:1")).as("#4 replayed, not also handed over live")
                .containsExactly(2L, 3L, 4L);
        assertThat(watcher.channel().seqs("orders:1")).containsExactly(4L);
    }
}
