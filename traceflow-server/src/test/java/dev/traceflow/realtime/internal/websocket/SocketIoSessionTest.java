package dev.traceflow.realtime.internal.websocket;

import dev.traceflow.realtime.internal.broker.CloseReason;
import dev.traceflow.realtime.internal.broker.Timers;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A polling session's own rules, without a server: its heartbeat is its expiry, it must join a
 * namespace in time, its buffer and its bodies are bounded, and one IP has few sessions. (Framing
 * and bad input over HTTP: {@code SocketIoPollingTest}; the real client: {@code RealtimeNodeIT}.)
 */
class SocketIoSessionTest {

    /** Timers on a clock the test moves. */
    static final class Clock implements Timers {
        record Task(long at, Runnable body, boolean[] cancelled) implements Scheduled {
            @Override
            public void cancel() {
                cancelled[0] = true;
            }
        }

        long now;
        final List<Task> tasks = new ArrayList<>();

        @Override
        public synchronized Scheduled schedule(Duration delay, Runnable body) {
            Task task = new Task(now + delay.toMillis(), body, new boolean[1]);
            tasks.add(task);
            return task;
        }

        void advance(Duration by) {
            long until = now + by.toMillis();
            while (true) {
                Task next = null;
                synchronized (this) {
                    for (Task t : tasks) {
                        if (t.at <= until && (next == null || t.at < next.at)) {
                            next = t;
                        }
                    }
                    if (next == null) {
                        now = until;
                        return;
                    }
                    tasks.remove(next);
                    now = next.at;
                }
                if (!next.cancelled[0]) {
                    next.body.run();
                }
            }
        }
    }

    private final Clock clock = new Clock();

    /** Short heartbeat (a writer waits at most interval + timeout for room), 3 buffered packets, 12-character bodies, 2 sessions per IP. */
    private final SocketIoSessions sessions = new SocketIoSessions(null, null, null, clock, Runnable::run, Duration.ofMillis(100),
            Duration.ofMillis(100), Duration.ofSeconds(45), 12, 3, 2);

    private static String body(EnginePoll poll) {
        return ((EnginePoll.Packets) poll).body();
    }

    @Test
    void aClientThatAnswersNoPing_endsAHeartbeatLater_andItsSidIsForgotten() throws Exception {
        SocketIoSession answering = sessions.openPolling(null, null, "10.0.0.1");
        SocketIoSession silent = sessions.openPolling(null, null, "10.0.0.2");

        clock.advance(Duration.ofMillis(100));
        assertThat(body(answering.poll())).isEqualTo("2");
        assertThat(answering.receivePayload("3")).isTrue();
        clock.advance(Duration.ofMillis(100));

        assertThat(sessions.find(answering.sid)).isSameAs(answering);
        assertThat(answering.isEnded()).isFalse();
        assertThat(sessions.find(silent.sid)).isNull();
        assertThat(silent.isEnded()).isTrue();
        assertThat(body(silent.poll())).as("a GET of an ended session is told so").isEqualTo("1");
    }

    @Test
    void aSessionThatJoinsNoNamespace_endsAtTheConnectTimeout() throws Exception {
        SocketIoSession session = sessions.openPolling(null, null, "10.0.0.1");
        for (int i = 0; i < 449; i++) {
            clock.advance(Duration.ofMillis(100));
            assertThat(body(session.poll())).isEqualTo("2");
            session.receivePayload("3");
        }
        assertThat(session.isEnded()).isFalse();

        clock.advance(Duration.ofMillis(100));

        assertThat(session.isEnded()).isTrue();
        assertThat(sessions.find(session.sid)).isNull();
    }

    @Test
    void aGetTakesWhatOneBodyHolds_inOrder_andALongerPacketAlone() throws Exception {
        SocketIoSession session = sessions.openPolling(null, null, "10.0.0.1");
        session.packet("4aaaa", false);
        session.packet("4bbbb", false);
        session.packet("4" + "c".repeat(20), false);

        assertThat(body(session.poll())).isEqualTo("4aaaa\u001e4bbbb");
        assertThat(body(session.poll())).isEqualTo("4" + "c".repeat(20));
    }

    @Test
    void aWriterFindingTheBufferFull_waitsForAGet_thenGivesUp() throws Exception {
        SocketIoSession session = sessions.openPolling(null, null, "10.0.0.1");
        session.packet("41", false);
        session.packet("42", false);
        session.packet("43", false);

        long start = System.nanoTime();
        assertThatThrownBy(() -> session.packet("44", false)).isInstanceOf(IOException.class);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(190));
        assertThat(body(session.poll())).as("what was buffered is still there").isEqualTo("41\u001e42\u001e43");
    }

    @Test
    void aWriterWaitingForRoom_goesOnWhenAGetTakesThePackets() throws Exception {
        Clock slow = new Clock();
        SocketIoSessions patient = new SocketIoSessions(null, null, null, slow, Runnable::run, Duration.ofSeconds(10),
                Duration.ofSeconds(10), Duration.ofSeconds(45), 100, 1, 2);
        SocketIoSession session = patient.openPolling(null, null, "10.0.0.1");
        session.packet("4first", false);
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                session.packet("4second", false);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });

        assertThat(body(session.poll())).isEqualTo("4first");
        writer.join(5_000);
        assertThat(writer.isAlive()).isFalse();
        assertThat(body(session.poll())).isEqualTo("4second");
    }

    @Test
    void theServerClosingAPollingSession_sendsWhatWasQueued_thenEngineIoClose() throws Exception {
        SocketIoSession session = sessions.openPolling(null, null, "10.0.0.1");
        session.packet("4last", false);

        session.channel().close(CloseReason.SLOW_CONSUMER);

        assertThat(body(session.poll())).isEqualTo("4last\u001e1");
        assertThat(sessions.find(session.sid)).isNull();
        assertThatThrownBy(() -> session.packet("4more", false)).isInstanceOf(IOException.class);
    }

    @Test
    void oneIpHasAtMostItsSessions_andAnEndedOneMakesRoom() {
        SocketIoSession first = sessions.openPolling(null, null, "10.0.0.1");
        assertThat(sessions.openPolling(null, null, "10.0.0.1")).isNotNull();

        assertThat(sessions.openPolling(null, null, "10.0.0.1")).isNull();
        assertThat(sessions.openPolling(null, null, "10.0.0.2")).as("another IP").isNotNull();
        first.receivePayload("1");
        assertThat(sessions.openPolling(null, null, "10.0.0.1")).isNotNull();
    }

    @Test
    void aStop_endsTheSessionsAndRefusesNewOnes_untilTheNextStart() {
        SocketIoSession open = sessions.openPolling(null, null, "10.0.0.1");

        sessions.stop();
        assertThat(open.isEnded()).isTrue();
        assertThat(sessions.openPolling(null, null, "10.0.0.3")).isNull();

        // a context paused and resumed (as Spring's test context cache does) takes handshakes again
        sessions.start();
        assertThat(sessions.openPolling(null, null, "10.0.0.3")).isNotNull();
    }

    @Test
    void brokenPackets_endTheSession() {
        SocketIoSession empty = sessions.openPolling(null, null, "10.0.0.1");
        SocketIoSession unknown = sessions.openPolling(null, null, "10.0.0.2");

        assertThat(empty.receivePayload("3\u001e")).isFalse();
        assertThat(unknown.receivePayload("7")).isFalse();

        assertThat(empty.isEnded()).isTrue();
        assertThat(unknown.isEnded()).isTrue();
    }
}
