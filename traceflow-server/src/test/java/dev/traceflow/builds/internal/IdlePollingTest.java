package dev.traceflow.builds.internal;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class IdlePollingTest {

    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration MAX = Duration.ofSeconds(5);

    @Test
    void delay_doublesWithEachEmptyLook_upToTheLongestWait() {
        assertThat(IdlePolling.delay(POLL, MAX, 1)).isEqualTo(POLL);
        assertThat(IdlePolling.delay(POLL, MAX, 2)).isEqualTo(Duration.ofSeconds(1));
        assertThat(IdlePolling.delay(POLL, MAX, 3)).isEqualTo(Duration.ofSeconds(2));
        assertThat(IdlePolling.delay(POLL, MAX, 4)).isEqualTo(Duration.ofSeconds(4));
        assertThat(IdlePolling.delay(POLL, MAX, 5)).isEqualTo(MAX);
        assertThat(IdlePolling.delay(POLL, MAX, Integer.MAX_VALUE)).isEqualTo(MAX);
        // a longest wait set below the poll does not make an idle worker look more often than the poll
        assertThat(IdlePolling.delay(POLL, Duration.ofMillis(100), 3)).isEqualTo(POLL);
    }

    @Test
    void await_waitsTheWholeDelay_whenNothingIsQueued_andABuildQueuedBeforeTheMarkDoesNotCount() throws Exception {
        IdlePolling idle = new IdlePolling();
        idle.buildQueued();
        long started = System.nanoTime();
        assertThat(idle.await(idle.mark(), Duration.ofMillis(200))).isFalse();
        assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
    }

    @Test
    void aBuildQueuedWhileALoopWaits_endsTheWaitAtOnce() throws Exception {
        IdlePolling idle = new IdlePolling();
        long mark = idle.mark();
        long started = System.nanoTime();
        CompletableFuture<Boolean> woken = CompletableFuture.supplyAsync(() -> {
            try {
                return idle.await(mark, Duration.ofMinutes(5));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        idle.buildQueued();
        assertThat(woken.get(30, TimeUnit.SECONDS)).isTrue();
        assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(30));
        // queued between the look and the wait: no wait at all
        assertThat(idle.await(mark, Duration.ofMinutes(5))).isTrue();
    }
}
